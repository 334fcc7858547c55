#!/usr/bin/env bash
# `make test`: install and train if needed, then every test: Rasa's data validation and
# story tests, the scenario tests, and pytest (unit tests, end-to-end sessions over the
# real REST channel, the browser and the review dashboard).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore

scripts/setup.sh
scripts/install-browser.sh
scripts/train.sh
echo "==> sparring lint"
.venv/bin/sparring lint
echo "==> sparring test-scenarios (scripted trainees, cross-scenario and content-free checks)"
.venv/bin/sparring test-scenarios
echo "==> rasa data validate"
.venv/bin/rasa data validate --quiet
echo "==> rasa test (story tests in tests/stories)"
.venv/bin/rasa test core --model models/sparring.tar.gz --stories tests/stories \
  --fail-on-prediction-errors --out var/rasa-test-results --quiet
echo "==> pytest"
.venv/bin/python -m pytest tests "$@"
