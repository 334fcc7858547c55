#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright's Python package (Playwright's
# own browser download cannot work offline). Installs it when missing; the tests fail,
# never skip, if it still cannot start.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "==> installing Debian's chromium for the browser tests"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
