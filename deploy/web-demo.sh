#!/usr/bin/env bash
# What `make web` runs: reloc-web on the demo database (the one `make demo` fills), with demo
# logins made as `reloc user add` makes them. Usage: deploy/web-demo.sh RELOC RELOC-WEB [HOST:PORT]
# Needs DATABASE_URL (the administrator, as `eval "$(deploy/local-postgres.sh env)"` sets it) and
# RELOC_WEB_SIGNIN_URL (the cluster's TCP address, where logins need their passwords).
set -euo pipefail
reloc="${1:-.build/debug/reloc}"
reloc_web="${2:-.build/debug/reloc-web}"
listen="${3:-${RELOC_WEB_LISTEN:-127.0.0.1:8080}}"
password="reloc-demo-2014"

# A database `make demo` has not filled yet: migrate and seed it.
if ! "$reloc" plan list >/dev/null 2>&1; then
    "$reloc" db migrate >/dev/null
    "$reloc" db seed jilin-2014 >/dev/null
fi
"$reloc" db migrate >/dev/null

file="$(mktemp)"
trap 'rm -f "$file"' EXIT
printf '%s\n' "$password" >"$file"
for pair in demo_jl:JL demo_fgw:JL-FGW demo_kc:CC-KC; do
    login="${pair%%:*}"
    org="${pair#*:}"
    # Already made by an earlier `make web` (logins belong to the cluster): kept as they are.
    "$reloc" --as JL user add "$login" --org "$org" --password-file "$file" >/dev/null 2>&1 || true
done

cat <<TEXT
reloc-web on the demo database: http://$listen/
  sign in as demo_jl (the province, 吉林省), demo_fgw (省发展改革委) or demo_kc (长春宽城区),
  password $password. Ctrl-C stops it.
TEXT
export DATABASE_URL="${DATABASE_URL/user=postgres/user=reloc_web}"
exec "$reloc_web" --listen "$listen"
