#!/usr/bin/env bash
# Prints the path of a Python 3.8–3.10 interpreter (Rasa Open Source 3.6 supports no other),
# or explains how to get one and exits non-zero.
set -u
candidates=(python3.10 python3.9 python3.8)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10* "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.9* "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.8*; do
  [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
done
for candidate in "${candidates[@]}"; do
  # A pyenv shim exists even when its version is not selected: ask the interpreter itself.
  if version=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); then
    case "$version" in 3.8|3.9|3.10) command -v "$candidate" 2>/dev/null || echo "$candidate"; exit 0 ;; esac
  fi
done
cat >&2 <<'MSG'
error: no Python 3.8, 3.9 or 3.10 found (Rasa Open Source 3.6 needs one of them).
fix:   install Python 3.10, e.g. `pyenv install 3.10.13` or `apt-get install python3.10 python3.10-venv`,
       or point PYTHON at one: `make run PYTHON=/path/to/python3.10`.
MSG
exit 1
