#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter for the Rasa env, or explain how to get one.
# Order: $PYTHON310, python3.10 on PATH (if it really runs), pyenv's 3.10 builds.
set -u
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -x "$p" ] && candidates+=("$p")
done
for p in "${candidates[@]}"; do
  if "$p" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    echo "$p"
    exit 0
  fi
done
cat >&2 <<'MSG'
ERROR: Python 3.10 is required for the Rasa env (Rasa Open Source 3.6 supports Python < 3.11),
but none was found. Install one (pyenv install 3.10, uv python install 3.10, or the deadsnakes
python3.10 + python3.10-venv packages), then re-run, or point to it: make setup PYTHON310=/path/to/python3.10
MSG
exit 1
