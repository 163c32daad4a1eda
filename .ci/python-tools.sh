#!/usr/bin/env bash
# The independent readers the tests check reloc's files with (issue 17): openpyxl reads every
# workbook reloc writes, icalendar parses its calendars. Installed from PyPI into a virtual
# environment of this checkout (.python-tools/), once; prints the environment's python.
# A failure here fails the tests that need it: nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.python-tools
python="$venv/bin/python"
# Tests run in parallel: one installs, the others wait for it.
exec 9>".python-tools.lock"
flock 9
if [[ ! -x "$python" ]] || ! "$python" -c 'import openpyxl, icalendar' >/dev/null 2>&1; then
    {
        python3 -m venv "$venv"
        "$python" -m pip install --quiet --disable-pip-version-check 'openpyxl==3.1.5' 'icalendar==6.1.1'
    } >&2
fi
echo "$PWD/$python"
