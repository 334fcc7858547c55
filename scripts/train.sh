#!/usr/bin/env bash
# Trains what needs training, only when its inputs changed: the checklist detector's text
# classifier (sparring/trained.py keeps its own fingerprint) and the Rasa model (config.yml,
# domain.yml, data/). Scenarios are read at run time and never trained.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false

model=models/sparring.tar.gz
stamp=models/.inputs.sha256
inputs=$( (sha256sum config.yml domain.yml; find data -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1)

echo "==> checklist detector model (trained from checklist/train*.jsonl when its inputs changed)"
.venv/bin/python -m sparring.trained
.venv/bin/python -m sparring.names

if [ -f "$model" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
  echo "==> Rasa model is up to date ($model)"
  exit 0
fi
# Rasa's own output (deprecation warnings of its dependencies included) goes to the log;
# on failure its end is shown.
mkdir -p var/log
: > var/log/train.log
quietly() {  # what, command...
  local what=$1; shift
  if ! "$@" >> var/log/train.log 2>&1; then
    echo "error: $what failed; the end of var/log/train.log:" >&2
    tail -30 var/log/train.log >&2
    exit 1
  fi
}
echo "==> validating Rasa data"
quietly "rasa data validate" .venv/bin/rasa data validate --quiet
echo "==> training the Rasa model (a minute or two; log: var/log/train.log)"
quietly "rasa train" .venv/bin/rasa train --fixed-model-name sparring --out models --quiet
echo "$inputs" > "$stamp"
