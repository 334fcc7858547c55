#!/usr/bin/env bash
# Prints the path of the endpoints file to use: endpoints.yml itself (SQLite under var/),
# or, when SPARRING_DATABASE_URL=postgresql://user:pass@host:port/db is set, a copy under
# var/ that points Rasa's SQL tracker store at that PostgreSQL database.
set -euo pipefail
cd "$(dirname "$0")/.."
actions_port=${1:-5055}
out=var/endpoints.yml
mkdir -p var
.venv/bin/python - "$actions_port" "$out" <<'PY'
import os, sys, urllib.parse, yaml
port, out = sys.argv[1], sys.argv[2]
config = yaml.safe_load(open("endpoints.yml"))
config["action_endpoint"]["url"] = f"http://localhost:{port}/webhook"
url = os.environ.get("SPARRING_DATABASE_URL")
if url:
    parts = urllib.parse.urlparse(url)
    if parts.scheme not in ("postgresql", "postgres"):
        sys.exit(f"error: SPARRING_DATABASE_URL must start with postgresql://, found {parts.scheme!r}")
    config["tracker_store"] = {
        "type": "SQL", "dialect": "postgresql", "url": parts.hostname or "localhost",
        "port": parts.port or 5432, "db": parts.path.lstrip("/") or "sparring",
        "username": urllib.parse.unquote(parts.username or ""), "password": urllib.parse.unquote(parts.password or ""),
    }
yaml.safe_dump(config, open(out, "w"), sort_keys=False)
PY
echo "$out"
