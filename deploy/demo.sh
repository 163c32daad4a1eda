#!/usr/bin/env bash
# The demo that `make demo` runs once PostgreSQL is up and reloc is built: migrate, then show
# what the database holds. Usage: deploy/demo.sh PATH-TO-RELOC
set -euo pipefail
reloc="${1:-.build/debug/reloc}"

step() { printf '\n== %s\n' "$*"; }

step "reloc db migrate"
"$reloc" db migrate

step "reloc db status"
"$reloc" db status
