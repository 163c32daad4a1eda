#!/usr/bin/env bash
# The reminder job's benchmark (make bench): national-scale data (120 cities, 1,000 plans,
# 100,000 enterprises, 1,000,000 milestones over 2014–2026), and the figures the issue asks for:
#   - planning time of `reloc remind run --as-of` vs the same set-based statements issued by psql
#     (goal: ratio ≤ 1.5);
#   - a second run with nothing new (goal: under 1 s);
#   - the job's peak memory (goal: under 100 MB, flat as the data grows ×10), while planning and
#     while delivering every digest;
#   - the server's time planning and composing against the data's own floor, measured in the same
#     run on the same data: one scan selecting the open milestones due by as_of + 30 days, writing
#     rows of the ledger's shape into a plain table. run_s is reloc.remind_run (what the job calls:
#     plan and compose, each reminder written once); plan_s and compose_s are the two steps called
#     apart (remind_plan, remind_compose); due_s is reloc.reminders_due computed only (no ledger,
#     digest or link written). Goal: x_floor = run_s / floor_s ≤ 3 (docs/performance-remind.md).
#     The same two statements' CPU time in the server process (floor_cpu_s, run_cpu_s, x_floor_cpu,
#     from /proc/PID/schedstat: the local cluster only, else "-"): wall time on a loaded machine
#     counts the other processes' turns too, CPU time only the statement's own work.
# Each scale gets a fresh database reloc_bench on the local cluster (dropped at the end).
# Usage: deploy/bench/remind-bench.sh PATH-TO-RELOC   (BENCH_SCALES="100000 1000000" milestones)
set -euo pipefail
# The real psql, not Debian's /usr/bin/psql: that is pg_wrapper, a Perl script that costs about
# 45 ms of CPU a call before psql starts; timed beside reloc it would flatter every ratio.
PATH="$("$(dirname "$0")/../local-postgres.sh" bindir):$PATH"
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

# floor_and_remind: the server's seconds for remind_run, remind_plan, remind_compose (as the job,
# rolled back), the floor, and reminders_due computed only, "run plan compose floor due", each timed
# by clock_timestamp() around one statement so that neither the client nor the connection counts;
# then the server process's CPU seconds for remind_run and the floor, "run_cpu floor_cpu" (0 when
# the server's /proc is not readable here).
floor_and_remind() {
    psql "$bench_url" -qAt -v ON_ERROR_STOP=1 -v as_of="$as_of" <<'SQL'
\set QUIET on
SELECT pg_backend_pid() AS backend \gset
\setenv BENCH_BACKEND :backend
CREATE TABLE public.reminder_floor (milestone_id bigint, recipient_id bigint, due_on date, occurrence text,
    occurs_on date, escalation boolean, planned_on date, planned_at timestamptz DEFAULT now(), state text DEFAULT 'planned');
BEGIN;
SET LOCAL ROLE reloc_reminder;
SELECT FROM reloc.reminder_job_lock FOR UPDATE;
SELECT clock_timestamp() AS r0 \gset
\set c0 `cut -d' ' -f1 /proc/$BENCH_BACKEND/schedstat 2>/dev/null || echo 0`
SELECT planned FROM reloc.remind_run(:'as_of', 200) \gset
\set c1 `cut -d' ' -f1 /proc/$BENCH_BACKEND/schedstat 2>/dev/null || echo 0`
SELECT clock_timestamp() AS r1 \gset
ROLLBACK;
BEGIN;
SET LOCAL ROLE reloc_reminder;
SELECT FROM reloc.reminder_job_lock FOR UPDATE;
SELECT clock_timestamp() AS t0 \gset
SELECT reloc.remind_plan(:'as_of') AS planned \gset
SELECT clock_timestamp() AS t1 \gset
SELECT messages FROM reloc.remind_compose(:'as_of', 200) \gset
SELECT clock_timestamp() AS t2 \gset
ROLLBACK;
-- The floor: one scan of the milestones, rows of the planned reminders' shape into a table.
SELECT clock_timestamp() AS t3 \gset
\set c3 `cut -d' ' -f1 /proc/$BENCH_BACKEND/schedstat 2>/dev/null || echo 0`
INSERT INTO public.reminder_floor (milestone_id, recipient_id, due_on, occurrence, occurs_on, escalation, planned_on)
SELECT m.id, m.owner_id, m.due_on, 'due', m.due_on, false, :'as_of'
FROM reloc.milestone m
WHERE (m.done_on IS NULL OR m.done_on > :'as_of') AND m.due_on <= DATE :'as_of' + 30;
\set c4 `cut -d' ' -f1 /proc/$BENCH_BACKEND/schedstat 2>/dev/null || echo 0`
SELECT clock_timestamp() AS t4 \gset
DROP TABLE public.reminder_floor;
-- What is due, computed only (rules, holders, assignees, escalations), into a temporary table:
-- the part of run_s that is not writing the ledger, the digests and the links.
BEGIN;
SET LOCAL ROLE reloc_reminder;
SET LOCAL jit = off;
SELECT clock_timestamp() AS d0 \gset
CREATE TEMPORARY TABLE reminder_due ON COMMIT DROP AS SELECT * FROM reloc.reminders_due(:'as_of');
SELECT clock_timestamp() AS d1 \gset
ROLLBACK;
SELECT round(extract(epoch FROM :'r1'::timestamptz - :'r0'::timestamptz), 3),
       round(extract(epoch FROM :'t1'::timestamptz - :'t0'::timestamptz), 3),
       round(extract(epoch FROM :'t2'::timestamptz - :'t1'::timestamptz), 3),
       round(extract(epoch FROM :'t4'::timestamptz - :'t3'::timestamptz), 3),
       round(extract(epoch FROM :'d1'::timestamptz - :'d0'::timestamptz), 3),
       round((:c1 - :c0) / 1e9, 3), round((:c4 - :c3) / 1e9, 3);
SQL
}

printf '%-11s %-9s %-9s %-10s %-11s %-6s %-10s %-10s %-9s %-13s %-13s %-7s %-7s %-7s %-10s %-9s %-7s %-11s %-9s %-11s\n' \
    milestones generate ledger psql_plan reloc_plan ratio second_run deliver messages rss_plan_MB rss_deliver_MB \
    floor_s run_s x_floor plan_s compose_s due_s floor_cpu_s run_cpu_s x_floor_cpu
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
    sql="BEGIN; SET ROLE reloc_reminder; SELECT FROM reloc.reminder_job_lock FOR UPDATE;
         SELECT * FROM reloc.remind_run('$as_of', 200); COMMIT;"
    # Warm the cache with the same work, rolled back, so neither side pays for cold reads.
    psql "$bench_url" -qAtc "${sql/COMMIT;/ROLLBACK;}" >/dev/null
    # The server's time against the floor (twice: the first warms the floor's scan; the second counts).
    floor_and_remind >/dev/null
    read -r run_s plan_s compose_s floor_s due_s run_cpu_s floor_cpu_s < <(floor_and_remind | tr '|' ' ')
    measure psql psql "$bench_url" -qAtc "$sql"
    ledger=$(psql "$bench_url" -qAtc "SELECT count(*) FROM reloc.reminder")
    psql "$bench_url" -qc "TRUNCATE reloc.reminder, reloc.reminder_message" -c "VACUUM ANALYZE" >/dev/null

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
    x_floor=$(echo "scale=3; $run_s / $floor_s" | bc | xargs printf '%.1f')
    if [ "$(echo "$floor_cpu_s > 0" | bc)" = 1 ]; then
        x_floor_cpu=$(echo "scale=3; $run_cpu_s / $floor_cpu_s" | bc | xargs printf '%.1f')
    else
        run_cpu_s=- floor_cpu_s=- x_floor_cpu=-
    fi
    printf '%-11s %-9.1f %-9s %-10s %-11s %-6s %-10s %-10s %-9s %-13s %-13s %-7s %-7s %-7s %-10s %-9s %-7s %-11s %-9s %-11s\n' \
        "$milestones" "$generate" "$ledger" "$(seconds psql)" "$(seconds plan)" "$ratio" "$(seconds again)" \
        "$(seconds deliver)" "$messages" "$(megabytes plan)" "$(megabytes deliver)" \
        "$floor_s" "$run_s" "$x_floor" "$plan_s" "$compose_s" "$due_s" "$floor_cpu_s" "$run_cpu_s" "$x_floor_cpu"
done
echo "goals: ratio ≤ 1.5; second_run < 1 s; peak RSS < 100 MB and flat across scales; x_floor = run_s / floor_s ≤ 3 (times in seconds; x_floor_cpu the same in the server's CPU time)"
