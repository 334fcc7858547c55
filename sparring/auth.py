"""Logins for the team leads' review dashboard and the trainers' page, one token each.

Each role's token comes from configuration, never from the repository:

1. the environment variable (``SPARRING_LEAD_TOKEN``, ``SPARRING_TRAINER_TOKEN``) when it
   is set, otherwise
2. a file (``var/lead-token``, ``var/trainer-token``; ``SPARRING_LEAD_TOKEN_FILE`` /
   ``SPARRING_TRAINER_TOKEN_FILE`` to put it elsewhere), generated with
   :func:`secrets.token_urlsafe` the first time the web server starts (``make run``) and
   readable by its owner only. ``var/`` is outside git.

A lead or trainer signs in once with the token and their name; the server then sets a
cookie that is signed with a key derived from the token (HMAC-SHA256), names them (so
overrides and published scenarios say who made them) and expires after
:data:`COOKIE_MAX_AGE`. Changing a token signs everyone of that role out; one role's cookie
never opens the other's pages. Scripts may instead send ``Authorization: Bearer <token>``.

``python -m sparring.auth [lead|trainer]`` makes sure a token exists and prints where it is.
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOKIE_MAX_AGE = 12 * 3600
MIN_TOKEN_LENGTH = 16
MAX_NAME_LENGTH = 80


@dataclass(frozen=True)
class Role:
    """Who signs in where: each role has its own token, cookie and part of the site."""

    name: str  # "lead", "trainer": also what the cookie's signing key is derived for
    token_env: str
    token_file_env: str
    cookie: str
    path: str  # the part of the site the cookie is sent to

    def default_token_file(self) -> Path:
        return ROOT / "var" / f"{self.name}-token"


LEAD = Role("lead", "SPARRING_LEAD_TOKEN", "SPARRING_LEAD_TOKEN_FILE", "sparring_lead", "/review")
TRAINER = Role("trainer", "SPARRING_TRAINER_TOKEN", "SPARRING_TRAINER_TOKEN_FILE", "sparring_trainer", "/trainer")
ROLES = {role.name: role for role in (LEAD, TRAINER)}
# The lead's, by their long-standing names.
TOKEN_ENV, TOKEN_FILE_ENV, COOKIE = LEAD.token_env, LEAD.token_file_env, LEAD.cookie


class TokenError(RuntimeError):
    """No usable token: the role's pages then refuse every login."""


def token_file(role: Role = LEAD) -> Path:
    configured = os.environ.get(role.token_file_env)
    return Path(configured) if configured else role.default_token_file()


def load_token(create: bool = True, role: Role = LEAD) -> tuple[str, str]:
    """The role's token and where it came from (for messages), generating the file if needed."""
    configured = os.environ.get(role.token_env, "").strip()
    if configured:
        if len(configured) < MIN_TOKEN_LENGTH:
            raise TokenError(f"{role.token_env} is too short: use at least {MIN_TOKEN_LENGTH} characters")
        return configured, f"the environment variable {role.token_env}"
    path = token_file(role)
    if not path.exists():
        if not create:
            raise TokenError(f"no {role.name} token: set {role.token_env} or create {path}")
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
        raise TokenError(f"the {role.name} token in {path} is too short: use at least {MIN_TOKEN_LENGTH} characters")
    return token, str(path)


def clean_name(name: str) -> str:
    """A display name: printable, single-line, bounded."""
    name = " ".join((name or "").split())  # newlines and tabs become single spaces
    return "".join(ch for ch in name if ch.isprintable()).strip()[:MAX_NAME_LENGTH]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class RoleAuth:
    """Checks a role's token and issues / verifies its signed session cookies."""

    def __init__(self, token: str | None, where: str = "", role: Role = LEAD):
        self.token = token
        self.where = where
        self.role = role
        context = f"sparring {role.name} cookie v1".encode()
        self._key = hmac.new(token.encode(), context, hashlib.sha256).digest() if token else b""

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
        """The signed-in name for a valid, unexpired cookie; None otherwise."""
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


# The chat page's conversations: the browser keeps a random secret, and the conversation's
# id in the tracker store (what leads, logs and exports see) is derived from it one way, so
# knowing a conversation's id never lets anyone read or write it (docs/security.md).
CHAT_PREFIX = "web-"


def conversation_of(secret: str) -> str:
    """The tracker store's id of the chat conversation whose browser holds ``secret``."""
    digest = hashlib.sha256(b"sparring conversation v1\0" + secret.encode("utf-8")).hexdigest()
    return CHAT_PREFIX + digest[:32]


class Throttle:
    """Back-off for token guessing, per client: a few wrong tokens are free (people mistype),
    then each further failure doubles the wait before that client may try again, up to
    ``MAX_WAIT`` seconds, and during the wait even the right token is refused, so guessing
    in parallel gains nothing. A success or a quiet ``WINDOW`` forgets the client."""

    FREE_FAILURES = 20
    MAX_WAIT = 300.0
    WINDOW = 900.0
    MAX_CLIENTS = 10_000  # the oldest are forgotten first: memory stays bounded

    def __init__(self) -> None:
        self._failures: dict[str, tuple[int, float]] = {}  # client -> (failures, time of the last)

    def wait(self, client: str, now: float | None = None) -> float:
        """Seconds before ``client`` may try a token again (0: now)."""
        now = time.time() if now is None else now
        count, last = self._failures.get(client, (0, 0.0))
        if now - last > self.WINDOW:
            self._failures.pop(client, None)
            return 0.0
        if count < self.FREE_FAILURES:
            return 0.0
        return max(0.0, last + min(2.0 ** (count - self.FREE_FAILURES), self.MAX_WAIT) - now)

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        count, last = self._failures.pop(client, (0, 0.0))
        self._failures[client] = (count + 1 if now - last <= self.WINDOW else 1, now)
        while len(self._failures) > self.MAX_CLIENTS:
            del self._failures[next(iter(self._failures))]

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)


def role_auth(role: Role = LEAD) -> RoleAuth:
    """The configured RoleAuth; an unconfigured one (every login refused) if no token can be had."""
    try:
        return RoleAuth(*load_token(create=True, role=role), role=role)
    except (TokenError, OSError) as problem:
        print(f"warning: {role.name} pages locked: {problem}", file=sys.stderr)
        return RoleAuth(None, role=role)


def main(argv: list[str] | None = None) -> int:
    names = (sys.argv[1:] if argv is None else argv) or ["lead"]
    if names[0] not in ROLES:
        print(f"error: unknown role {names[0]!r}; use one of {', '.join(ROLES)}", file=sys.stderr)
        return 2
    try:
        _, where = load_token(create=True, role=ROLES[names[0]])
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
