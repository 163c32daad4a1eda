#!/usr/bin/env bash
# The supervision benchmark (make bench, issue 15): `reloc board` and `reloc bulletin draft` over
# the national-scale data set of the reminder bench (120 cities, 1,000 plans, 100,000 enterprises,
# 1,000,000 milestones over 2014–2026, deploy/bench/generate.sql), as the province, on 2020-06-15.
# Goal: each under 2 s (wall, the command as a user runs it), printed with the goal and the rows.
# A fresh database reloc_bench_supervision on the local cluster, dropped at the end.
# Usage: deploy/bench/supervision-bench.sh PATH-TO-RELOC   (BENCH_MILESTONES, default 1000000)
set -euo pipefail
reloc="${1:-.build/debug/reloc}"
here="$(cd "$(dirname "$0")" && pwd)"
milestones="${BENCH_MILESTONES:-1000000}"
as_of=2020-06-15
admin_url="${DATABASE_URL:?run through make bench, or eval \"\$(deploy/local-postgres.sh env)\" first}"
bench_url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.scheme}://{p.netloc}/reloc_bench_supervision" + (f"?{p.query}" if p.query else ""))' "$admin_url")"
work="$(mktemp -d)"
trap 'rm -rf "$work"; psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_bench_supervision WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_bench_supervision WITH (FORCE)" \
    -c "CREATE DATABASE reloc_bench_supervision" >/dev/null 2>&1
DATABASE_URL="$bench_url" "$reloc" db migrate >/dev/null
DATABASE_URL="$bench_url" "$reloc" db seed jilin-2014 >/dev/null
psql "$bench_url" -q -v cities=120 -v plans=1000 -v enterprises=100000 -v milestones="$milestones" \
    -v as_of="$as_of" -f "$here/generate.sql" >/dev/null
psql "$bench_url" -qc "VACUUM ANALYZE" >/dev/null

# run NAME ARGS…: the command's wall seconds (best of 3, after one warm-up) and its output's lines.
run() {
    local name="$1"; shift
    DATABASE_URL="$bench_url" "$reloc" "$@" >"$work/$name.out"
    local best=""
    for _ in 1 2 3; do
        /usr/bin/time -f '%e' -o "$work/$name.time" env DATABASE_URL="$bench_url" "$reloc" "$@" >"$work/$name.out"
        local s
        s="$(tail -n1 "$work/$name.time")"
        if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$s"; fi
    done
    local verdict=ok
    awk -v s="$best" 'BEGIN { exit !(s < 2) }' || verdict="OVER the 2 s goal"
    printf '%-44s %6.2f s  (goal < 2 s: %s; %s lines)\n' "$*" "$best" "$verdict" "$(wc -l <"$work/$name.out")"
}

echo "supervision bench: $milestones milestones, as of $as_of, as the province (JL)"
run board board --as JL --as-of "$as_of"
run board_department board --as JL --by department --as-of "$as_of"
run board_plan board --as JL --by plan --as-of "$as_of"
run bulletin_month bulletin draft --as JL --period 2020-05 --as-of "$as_of" --format markdown
run bulletin_year bulletin draft --as JL --period 2020 --as-of "$as_of" --format json
