# Sourced by the test scripts: sets PYTHON to an interpreter that has pytest and kazoo.
# The Debian packages (python3-pytest, python3-kazoo) install into /usr/bin/python3; a pyenv
# shim earlier on PATH usually lacks them, so Debian's interpreter is tried first.
PYTHON=""
for _cand in ${PYTHON_FOR_TESTS:-} /usr/bin/python3 python3; do
  if command -v "$_cand" >/dev/null 2>&1 && "$_cand" -c 'import pytest, kazoo' 2>/dev/null; then
    PYTHON=$_cand
    break
  fi
done
unset _cand
if [ -z "$PYTHON" ]; then
  echo "no python3 with pytest and kazoo found (apt-get install python3-pytest python3-kazoo)" >&2
  PYTHON=/usr/bin/python3
fi
export PYTHON
