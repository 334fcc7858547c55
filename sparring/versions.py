"""Versions of the files a session is played against, kept so a lead can open them later.

A version is the first 12 hex digits of the SHA-256 of a file's bytes: the same text is the
same version wherever it is read. Every scenario text and playbook the catalogue loads is
archived once under ``var/versions/`` (outside git, beside the tracker store's SQLite file),
and so is every text a trainer publishes, so a session's scorecard can always be read next
to the exact scenario and rubric that produced it, even after the files changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from pathlib import Path

from sparring.language import ROOT

VERSIONS_DIR = Path(os.environ.get("SPARRING_VERSIONS", ROOT / "var" / "versions"))
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_VERSION = re.compile(r"^[0-9a-f]{12}$")
log = logging.getLogger(__name__)


def content_version(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:12]


def archive(kind: str, name: str, data: bytes, directory: Path | None = None) -> str:
    """Keep ``data`` as version ``content_version(data)`` of ``kind/name``; returns the version.
    Archiving never breaks loading: a disk that refuses the copy is logged, not raised."""
    version = content_version(data)
    path = (directory or VERSIONS_DIR) / kind / name / f"{version}.yml"
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(data)
            temporary.replace(path)
        except OSError as problem:
            log.warning("could not archive %s/%s version %s: %s", kind, name, version, problem)
    return version


def read(kind: str, name: str, version: str, directory: Path | None = None) -> str | None:
    """An archived version's text, or None (names and versions are checked: no path tricks)."""
    if not (_NAME.match(kind) and _NAME.match(name) and _VERSION.match(version)):
        return None
    path = (directory or VERSIONS_DIR) / kind / name / f"{version}.yml"
    return path.read_text(encoding="utf-8") if path.exists() else None


def record_publication(kind: str, name: str, entry: dict, directory: Path | None = None) -> None:
    """Append who published which version when to ``kind/name/published.jsonl``: the archive
    says what each version was, this log says who made it current."""
    path = (directory or VERSIONS_DIR) / kind / name / "published.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log_file:
        log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")


def publications(kind: str, name: str, directory: Path | None = None) -> list[dict]:
    """Every recorded publication of ``kind/name``, oldest first (unreadable lines skipped)."""
    path = (directory or VERSIONS_DIR) / kind / name / "published.jsonl"
    if not (_NAME.match(kind) and _NAME.match(name)) or not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            log.warning("skipped an unreadable line of %s", path)
    return entries
