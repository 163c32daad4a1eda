#!/usr/bin/env bash
# Installs the linters `make lint` runs, when missing (as deploy/local-postgres.sh installs
# PostgreSQL): shellcheck from Debian's packages, squawk (PyPI squawk-cli, pinned: its rules change
# between releases) into a virtual environment of this checkout. Prints the squawk to run.
set -euo pipefail
cd "$(dirname "$0")/.."
squawk_version=2.70.0
tools=.build/lint-tools

sudo_cmd=()
[[ "$(id -u)" -eq 0 ]] || sudo_cmd=(sudo)
apt_install() {
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 \
        || { "${sudo_cmd[@]}" apt-get update -q >/dev/null && "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}

if ! command -v shellcheck >/dev/null 2>&1; then
    echo "lint-tools: installing shellcheck with apt-get" >&2
    apt_install shellcheck
fi

if ! "$tools/bin/squawk" --version 2>/dev/null | grep -qx "squawk $squawk_version"; then
    echo "lint-tools: installing squawk-cli $squawk_version into $tools" >&2
    if ! python3 -m venv "$tools" >/dev/null 2>&1; then
        apt_install python3-venv python3-pip
        python3 -m venv "$tools"
    fi
    "$tools/bin/pip" install -q --disable-pip-version-check "squawk-cli==$squawk_version" >&2
fi
echo "$tools/bin/squawk"
