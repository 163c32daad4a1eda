#!/usr/bin/env bash
# The reminder job's benchmark (make bench): national-scale data (120 cities, 1,000 plans,
# 100,000 enterprises, 1,000,000 milestones over 2014–2026), and the figures the issue asks for:
#   - planning time of `reloc remind run --as-of` vs the same set-based statements issued by psql
#     (goal: ratio ≤ 1.5);
#   - a second run with nothing new (goal: under 1 s);
#   - the job's peak memory (goal: under 100 MB, flat as the data grows ×10), while planning and
#     while delivering every digest.
# Each scale gets a fresh database reloc_bench on the local cluster (dropped at the end).
# Usage: deploy/bench/remind-bench.sh PATH-TO-RELOC   (BENCH_SCALES="100000 1000000" milestones)
set -euo pipefail
reloc="${1:-.build/debug/reloc}"
here="$(cd "$(dirname "$0")" && pwd)"
scales="${BENCH_SCALES:-100000 1000000}"
as_of=2020-06-15
admin_url="${DATABASE_URL:?run through make bench, or eval \"\$(deploy/local-postgres.sh env)\" first}"
bench_url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.scheme}://{p.netloc}/reloc_bench" + (f"?{p.query}" if p.query else ""))' "$admin_url")"
work="$(mktemp -d)"
trap 'rm -rf "$work"; psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_bench WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

# measure NAME COMMAND…: wall seconds and peak RSS (MB) into $work/NAME; the exit status is kept.
measure() {
    local name="$1"; shift
    local status=0
    /usr/bin/time -f '%e %M' -o "$work/$name" "$@" >"$work/$name.out" 2>"$work/$name.err" || status=$?
    echo "$status" >"$work/$name.status"
}
seconds() { tail -n1 "$work/$1" | cut -d' ' -f1; }
megabytes() { tail -n1 "$work/$1" | awk '{ printf "%.1f", $2 / 1024 }'; }

printf '%-11s %-9s %-9s %-10s %-11s %-6s %-10s %-10s %-9s %-13s %-13s\n' \
    milestones generate ledger psql_plan reloc_plan ratio second_run deliver messages rss_plan_MB rss_deliver_MB
for milestones in $scales; do
    enterprises=$(( milestones / 10 ))
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_bench WITH (FORCE)" -c "CREATE DATABASE reloc_bench" >/dev/null 2>&1
    DATABASE_URL="$bench_url" "$reloc" db migrate >/dev/null
    DATABASE_URL="$bench_url" "$reloc" db seed jilin-2014 >/dev/null
    start=$(date +%s.%N)
    psql "$bench_url" -q -v cities=120 -v plans=1000 -v enterprises="$enterprises" -v milestones="$milestones" \
        -v as_of="$as_of" -f "$here/generate.sql" >/dev/null
    psql "$bench_url" -qc "VACUUM ANALYZE" >/dev/null
    generate=$(echo "$(date +%s.%N) - $start" | bc)

    # The same statements the job issues, from psql, as the job's role.
    sql="BEGIN; SET ROLE reloc_reminder; SELECT pg_advisory_xact_lock(hashtext('reloc.remind'));
         SELECT reloc.remind_plan('$as_of'); SELECT * FROM reloc.remind_compose('$as_of', 200); COMMIT;"
    # Warm the cache with the same work, rolled back, so neither side pays for cold reads.
    psql "$bench_url" -qAtc "${sql/COMMIT;/ROLLBACK;}" >/dev/null
    measure psql psql "$bench_url" -qAtc "$sql"
    ledger=$(psql "$bench_url" -qAtc "SELECT count(*) FROM reloc.reminder")
    psql "$bench_url" -qc "TRUNCATE reloc.reminder_message_item, reloc.reminder, reloc.reminder_message" -c "VACUUM ANALYZE" >/dev/null

    # The job: planning only (--limit 0 leaves every message queued: exit 75), then a second run.
    measure plan env DATABASE_URL="$bench_url" "$reloc" remind run --as-of "$as_of" --channel "jsonl:$work/out.jsonl" --limit 0
    measure again env DATABASE_URL="$bench_url" "$reloc" remind run --as-of "$as_of" --channel "jsonl:$work/out.jsonl" --limit 0
    grep -q "planned 0," "$work/again.out" || { echo "second run planned something: $(cat "$work/again.out")" >&2; exit 1; }
    # Delivering every queued digest to a jsonl file.
    measure deliver env DATABASE_URL="$bench_url" "$reloc" remind run --as-of "$as_of" --channel "jsonl:$work/out.jsonl"
    [ "$(cat "$work/deliver.status")" = 0 ] || { echo "delivery failed: $(cat "$work/deliver.out" "$work/deliver.err")" >&2; exit 1; }
    messages=$(wc -l <"$work/out.jsonl")
    rm -f "$work/out.jsonl"

    ratio=$(echo "scale=3; $(seconds plan) / $(seconds psql)" | bc | xargs printf '%.2f')
    printf '%-11s %-9.1f %-9s %-10s %-11s %-6s %-10s %-10s %-9s %-13s %-13s\n' \
        "$milestones" "$generate" "$ledger" "$(seconds psql)" "$(seconds plan)" "$ratio" "$(seconds again)" \
        "$(seconds deliver)" "$messages" "$(megabytes plan)" "$(megabytes deliver)"
done
echo "goals: ratio ≤ 1.5; second_run < 1 s; peak RSS < 100 MB and flat across scales (times in seconds)"
