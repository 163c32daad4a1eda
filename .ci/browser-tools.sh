#!/usr/bin/env bash
# The browser the web desk's end-to-end tests drive (issue 16): Debian's chromium and
# chromium-driver, and Python's selenium (PyPI, pinned) in this checkout's .python-tools/ (the
# environment of .ci/python-tools.sh). Prints the environment's python.
# Outside CI a missing browser is not installed: exit 3 with the reason (the test says it skips).
# With CI=true it is installed with apt-get, and a failure is a failure (exit 1).
set -euo pipefail
cd "$(dirname "$0")/.."
selenium_version=4.27.1

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# A Chinese font, or the screenshots show boxes for every character.
[[ "${CI:-}" != "true" ]] || fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if ((${#missing[@]} > 0)); then
    if [[ "${CI:-}" != "true" ]]; then
        echo "browser-tools: ${missing[*]} not installed (apt-get install chromium chromium-driver); with CI=true it is installed" >&2
        exit 3
    fi
    sudo_cmd=()
    [[ "$(id -u)" -eq 0 ]] || sudo_cmd=(sudo)
    echo "browser-tools: installing ${missing[*]} with apt-get" >&2
    # One apt at a time: tests run in parallel.
    exec 8>".browser-tools.lock"
    flock 8
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
        || { "${sudo_cmd[@]}" apt-get update -q >/dev/null \
            && "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
    flock -u 8
fi

python="$(.ci/python-tools.sh)"
exec 9>".python-tools.lock"
flock 9
if ! "$python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$selenium_version')" >/dev/null 2>&1; then
    "$python" -m pip install --quiet --disable-pip-version-check "selenium==$selenium_version" >&2
fi
echo "$python"
