"""Team-lead login for the review dashboard.

The lead token comes from configuration, never from the repository:

1. the environment variable ``SPARRING_LEAD_TOKEN`` when it is set, otherwise
2. the file ``var/lead-token`` (``SPARRING_LEAD_TOKEN_FILE`` to put it elsewhere), which
   is generated with :func:`secrets.token_urlsafe` the first time the web server starts
   (``make run``) and is readable by its owner only. ``var/`` is outside git.

A lead signs in once with the token and their name; the server then sets a cookie that is
signed with a key derived from the token (HMAC-SHA256), names the lead (so overrides say
who made them) and expires after :data:`COOKIE_MAX_AGE`. Changing the token signs every
lead out. Scripts may instead send ``Authorization: Bearer <token>``.

``python -m sparring.auth`` makes sure a token exists and prints where it is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN_ENV = "SPARRING_LEAD_TOKEN"
TOKEN_FILE_ENV = "SPARRING_LEAD_TOKEN_FILE"
COOKIE = "sparring_lead"
COOKIE_MAX_AGE = 12 * 3600
MIN_TOKEN_LENGTH = 16
MAX_NAME_LENGTH = 80


class TokenError(RuntimeError):
    """No usable lead token: the dashboard then refuses every login."""


def token_file() -> Path:
    configured = os.environ.get(TOKEN_FILE_ENV)
    return Path(configured) if configured else ROOT / "var" / "lead-token"


def load_token(create: bool = True) -> tuple[str, str]:
    """The lead token and where it came from (for messages), generating the file if needed."""
    configured = os.environ.get(TOKEN_ENV, "").strip()
    if configured:
        if len(configured) < MIN_TOKEN_LENGTH:
            raise TokenError(f"{TOKEN_ENV} is too short: use at least {MIN_TOKEN_LENGTH} characters")
        return configured, f"the environment variable {TOKEN_ENV}"
    path = token_file()
    if not path.exists():
        if not create:
            raise TokenError(f"no lead token: set {TOKEN_ENV} or create {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process generated it just now: read theirs
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(24) + "\n")
    token = path.read_text(encoding="utf-8").strip()
    if len(token) < MIN_TOKEN_LENGTH:
        raise TokenError(f"the lead token in {path} is too short: use at least {MIN_TOKEN_LENGTH} characters")
    return token, str(path)


def clean_name(name: str) -> str:
    """A lead's display name: printable, single-line, bounded."""
    name = " ".join((name or "").split())  # newlines and tabs become single spaces
    return "".join(ch for ch in name if ch.isprintable()).strip()[:MAX_NAME_LENGTH]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LeadAuth:
    """Checks the token and issues / verifies signed session cookies."""

    def __init__(self, token: str | None, where: str = ""):
        self.token = token
        self.where = where
        self._key = hmac.new(token.encode(), b"sparring lead cookie v1", hashlib.sha256).digest() if token else b""

    @property
    def configured(self) -> bool:
        return bool(self.token)

    def check_token(self, given: str | None) -> bool:
        if not self.token or not given:
            return False
        return hmac.compare_digest(given.strip().encode(), self.token.encode())

    def issue(self, lead: str, now: float | None = None) -> str:
        payload = _b64(json.dumps({"lead": clean_name(lead), "exp": int((time.time() if now is None else now) + COOKIE_MAX_AGE)},
                                  separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def verify(self, cookie: str | None, now: float | None = None) -> str | None:
        """The lead's name for a valid, unexpired cookie; None otherwise."""
        if not self.token or not cookie or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
        except (ValueError, TypeError):
            return None
        if not isinstance(data, dict) or data.get("exp", 0) < (time.time() if now is None else now):
            return None
        return clean_name(str(data.get("lead", ""))) or None

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())


def lead_auth() -> LeadAuth:
    """The configured LeadAuth; an unconfigured one (every login refused) if no token can be had."""
    try:
        return LeadAuth(*load_token(create=True))
    except (TokenError, OSError) as problem:
        print(f"warning: team-lead dashboard locked: {problem}", file=sys.stderr)
        return LeadAuth(None)


def main() -> int:
    try:
        _, where = load_token(create=True)
    except (TokenError, OSError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    if os.path.isabs(where):
        try:
            where = str(Path(where).resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            pass  # outside the current folder: say it in full
    print(where)
    return 0


if __name__ == "__main__":
    sys.exit(main())
