#!/usr/bin/env bash
# Creates .venv and installs the pinned dependencies, only when the pins changed since the
# last install, so `make run` and `make test` stay fast after the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PIP_DISABLE_PIP_VERSION_CHECK=1

python=${PYTHON:-$(scripts/find-python.sh)}
stamp=.venv/.installed
wanted=$(cat requirements.txt requirements.lock pyproject.toml package-lock.json | sha256sum | cut -d' ' -f1)

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $python"
  "$python" -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "==> installing pinned dependencies into .venv (first time: about 2 minutes, 2.7 GB)"
  .venv/bin/python -m pip install --quiet --upgrade "pip==24.0"
  .venv/bin/python -m pip install --quiet -r requirements.txt -c requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  echo "==> installing pinned front-end packages (npm ci)"
  command -v npm >/dev/null || { echo "error: npm not found; install Node.js 18+ (e.g. apt-get install nodejs npm)" >&2; exit 1; }
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$wanted" > "$stamp"
fi
