#!/usr/bin/env bash
# The supervision benchmark (make bench, issue 15): `reloc board` and `reloc bulletin draft` over
# the national-scale data set of the reminder bench (120 cities, 1,000 plans, milestones / 10
# enterprises, the milestones spread over 2014–2026, deploy/bench/generate.sql), as the province,
# on 2020-06-15 (docs/performance-supervision.md). For each command and scale:
#   - wall_s: the command as a user runs it (connection, query, rendering), best of 3 after a
#     warm-up; goal at 1,000,000 milestones: under 2 s;
#   - server_s: the server's time for the command's SQL function alone (clock_timestamp() around
#     one statement, as the province's role, the second of two runs);
#   - floor_s: the data's own floor, in the same session: one scan of the same milestones (all of
#     them for the board, those due in the period for a bulletin) computing the same counts per
#     organisation (the board: open, done, overdue, due within three days; a bulletin: due, on time,
#     late, overdue) — no lights, no calendar, no unit attribution;
#   - x_floor = server_s / floor_s: compare this across machines and loads, not the seconds.
# Each scale gets a fresh database reloc_bench_supervision (dropped at the end; BENCH_KEEP keeps it).
# Usage: deploy/bench/supervision-bench.sh PATH-TO-RELOC
#   BENCH_SCALES="100000 1000000" milestones (the default);
#   BENCH_KEEP=1 keeps the database after the run and reuses it when it holds the scale's
#   milestones (generating a million takes half an hour on a loaded machine): one scale then;
#   BENCH_SUPERVISION_DATABASE: another name (a copy of a kept data set, another's cluster's).
set -euo pipefail
# The real psql, not Debian's /usr/bin/psql: that is pg_wrapper, a Perl script that costs about
# 45 ms of CPU a call before psql starts; timed beside reloc it would flatter every ratio.
PATH="$("$(dirname "$0")/../local-postgres.sh" bindir):$PATH"
reloc="${1:-.build/debug/reloc}"
here="$(cd "$(dirname "$0")" && pwd)"
scales="${BENCH_SCALES:-100000 1000000}"
as_of=2020-06-15
admin_url="${DATABASE_URL:?run through make bench, or eval \"\$(deploy/local-postgres.sh env)\" first}"
db_name="${BENCH_SUPERVISION_DATABASE:-reloc_bench_supervision}"
bench_url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.scheme}://{p.netloc}/{sys.argv[2]}" + (f"?{p.query}" if p.query else ""))' "$admin_url" "$db_name")"
work="$(mktemp -d)"
cleanup() {
    rm -rf "$work"
    [[ -n "${BENCH_KEEP:-}" ]] || psql "$admin_url" -qc "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# prepare MILESTONES: a database with the data set at that scale (reused under BENCH_KEEP when it
# holds as many milestones already).
prepare() {
    local milestones="$1"
    if [[ -n "${BENCH_KEEP:-}" ]] && [[ "$(psql "$bench_url" -XqAtc \
        "SELECT count(*) FILTER (WHERE title LIKE '基准节点%') FROM reloc.milestone" 2>/dev/null || true)" == "$milestones" ]]; then
        DATABASE_URL="$bench_url" "$reloc" db migrate >/dev/null
        psql "$bench_url" -qc "ANALYZE" >/dev/null
        return
    fi
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" \
        -c "CREATE DATABASE \"$db_name\"" >/dev/null 2>&1
    DATABASE_URL="$bench_url" "$reloc" db migrate >/dev/null
    DATABASE_URL="$bench_url" "$reloc" db seed jilin-2014 >/dev/null
    psql "$bench_url" -q -v cities=120 -v plans=1000 -v enterprises=$(( milestones / 10 )) -v milestones="$milestones" \
        -v as_of="$as_of" -f "$here/generate.sql" >/dev/null
    psql "$bench_url" -qc "VACUUM ANALYZE" >/dev/null
}

# server_and_floor CALL FLOOR: "server_s floor_s", each the second of two runs, timed by
# clock_timestamp() around one statement, as the province's role (row-level security as for the
# command); CALL and FLOOR are statements whose rows are read whole (turned into text, so that nothing is left unevaluated), not sent.
server_and_floor() {
    psql "$bench_url" -XqAt -v ON_ERROR_STOP=1 -v role="$province_role" <<SQL
\\set QUIET on
SET ROLE :"role";
SELECT sum(length(x::text)) FROM ($1) x \\g /dev/null
SELECT clock_timestamp() AS s0 \\gset
SELECT sum(length(x::text)) FROM ($1) x \\g /dev/null
SELECT clock_timestamp() AS s1 \\gset
SELECT sum(length(x::text)) FROM ($2) x \\g /dev/null
SELECT clock_timestamp() AS f0 \\gset
SELECT sum(length(x::text)) FROM ($2) x \\g /dev/null
SELECT clock_timestamp() AS f1 \\gset
SELECT round(extract(epoch FROM :'s1'::timestamptz - :'s0'::timestamptz), 3),
       round(extract(epoch FROM :'f1'::timestamptz - :'f0'::timestamptz), 3);
SQL
}

# The floors. The board: every milestone, counted per owner by the simplest reading of the day.
board_floor="SELECT m.owner_id, count(*) FILTER (WHERE m.done_on <= DATE '$as_of') AS done,
       count(*) FILTER (WHERE (m.done_on IS NULL OR m.done_on > DATE '$as_of') AND m.due_on < DATE '$as_of') AS overdue,
       count(*) FILTER (WHERE (m.done_on IS NULL OR m.done_on > DATE '$as_of') AND m.due_on BETWEEN DATE '$as_of' AND DATE '$as_of' + 3) AS soon,
       count(*) FILTER (WHERE m.done_on IS NULL OR m.done_on > DATE '$as_of') AS open
FROM reloc.milestone m GROUP BY m.owner_id"
# A bulletin: the period's milestones, counted per owner.
bulletin_floor() {
    echo "SELECT m.owner_id, count(*) AS due,
       count(*) FILTER (WHERE m.done_on <= DATE '$as_of' AND m.done_on <= m.due_on) AS on_time,
       count(*) FILTER (WHERE m.done_on <= DATE '$as_of' AND m.done_on > m.due_on) AS late,
       count(*) FILTER (WHERE (m.done_on IS NULL OR m.done_on > DATE '$as_of') AND m.due_on < DATE '$as_of') AS overdue
FROM reloc.milestone m WHERE m.due_on BETWEEN DATE '$1' AND DATE '$2' GROUP BY m.owner_id"
}

# run SCALE LABEL CALL FLOOR ARGS…: the command's wall seconds (best of 3, after a warm-up), the
# server's and the floor's, and the output's lines.
run() {
    local scale="$1" label="$2" call="$3" floor="$4"; shift 4
    DATABASE_URL="$bench_url" "$reloc" "$@" >"$work/out" || { echo "supervision-bench: reloc $* failed" >&2; exit 1; }
    local best=""
    for _ in 1 2 3; do
        /usr/bin/time -f '%e' -o "$work/time" env DATABASE_URL="$bench_url" "$reloc" "$@" >"$work/out"
        local s
        s="$(tail -n1 "$work/time")"
        if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$s"; fi
    done
    local server_s floor_s
    read -r server_s floor_s < <(server_and_floor "$call" "$floor" | tr '|' ' ')
    local verdict=ok
    awk -v s="$best" 'BEGIN { exit !(s < 2) }' || verdict=OVER
    printf '%-10s %-34s %-7s %-7s %-9s %-8s %-8s %-6s\n' "$scale" "$label" "$best" "$verdict" "$server_s" "$floor_s" \
        "$(awk -v a="$server_s" -v b="$floor_s" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')" "$(wc -l <"$work/out")"
}

printf '%-10s %-34s %-7s %-7s %-9s %-8s %-8s %-6s\n' milestones command wall_s goal server_s floor_s x_floor lines
for milestones in $scales; do
    prepare "$milestones"
    province_role="$(psql "$bench_url" -XqAtc "SELECT role_name FROM reloc.organisation WHERE code = 'JL'")"
    run "$milestones" "board" "SELECT * FROM reloc.board('city', '$as_of')" "$board_floor" \
        board --as JL --as-of "$as_of"
    run "$milestones" "board --by department" "SELECT * FROM reloc.board('department', '$as_of')" "$board_floor" \
        board --as JL --by department --as-of "$as_of"
    run "$milestones" "board --by plan" "SELECT * FROM reloc.board('plan', '$as_of')" "$board_floor" \
        board --as JL --by plan --as-of "$as_of"
    run "$milestones" "bulletin draft --period 2020-05 (md)" "SELECT reloc.bulletin_figures('2020-05', '$as_of')" \
        "$(bulletin_floor 2020-05-01 2020-05-31)" \
        bulletin draft --as JL --period 2020-05 --as-of "$as_of" --format markdown
    run "$milestones" "bulletin draft --period 2020-Q2 (md)" "SELECT reloc.bulletin_figures('2020-Q2', '$as_of')" \
        "$(bulletin_floor 2020-04-01 2020-06-30)" \
        bulletin draft --as JL --period 2020-Q2 --as-of "$as_of" --format markdown
    run "$milestones" "bulletin draft --period 2020 (json)" "SELECT reloc.bulletin_figures('2020', '$as_of')" \
        "$(bulletin_floor 2020-01-01 2020-12-31)" \
        bulletin draft --as JL --period 2020 --as-of "$as_of" --format json
done
echo "goals: wall_s < 2 s at 1,000,000 milestones (as of $as_of, as the province JL); x_floor = server_s / floor_s (times in seconds)"
