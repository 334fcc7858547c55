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
echo "==> validating Rasa data"
.venv/bin/rasa data validate --quiet
echo "==> training the Rasa model (about a minute)"
.venv/bin/rasa train --fixed-model-name sparring --out models --quiet
echo "$inputs" > "$stamp"
