#!/usr/bin/env bash
# The CSV imports' benchmark (make bench; issue 13, "Speed"), every rule, row-level security and
# the audit included, all or nothing, each against psql `\copy` of the same file into a bare table
# (no constraint, no index, no trigger) in the same run:
#   - `reloc enterprise import` of 100,000 rows (plan, name, mode, industry, employees, site_ha) as
#     四平 (--as SP, into plan SP-TD);
#   - `reloc task progress-import` of 100,000 reports (task, percent, note, evidence) as the
#     provincial development and reform commission (--as JL-FGW, on the tasks assigned to it).
# For each, four rows measured in the same run: psql `\copy` of the file into a bare table; the
# data's own floor — `\copy` of the same rows, already in the table's final form (ids, codes), into
# a copy of the real table with its indexes, CHECK constraints and foreign keys and the real
# table's audit statement (reloc.audit_insert), but no row trigger, no row-level security and no
# rule checked: what any audited import into that table costs at least; the import's own
# statements in psql as the organisation (staging COPY + the set-based function: the server's
# work); and the CLI's import (wall clock, client included). Each is printed with its throughput
# as a percentage of bare `\copy`'s (goal: ≥ 25 %, on the way to 50 %) and of the floor's
# (docs/performance-import.md says what separates them).
# Each side is timed BENCH_REPEAT times (default 3) and the best run counts (the machine is shared);
# every run starts on a fresh copy of the seeded database.
# Usage: deploy/bench/import-bench.sh [PATH-TO-RELOC]
#   (BENCH_IMPORT_ROWS, default 100000; BENCH_PROGRESS_ROWS, default 100000;
#    BENCH_IMPORTS, default "enterprise progress")
# Without a path: the release build (make release) if there is one, else the debug build — the
# client's CSV reading costs about 2.7 s of CPU for 100,000 rows in a debug build, 0.15 s in a
# release build, and the goal is about the database's work (docs/performance-import.md).
set -euo pipefail
# The real psql, not Debian's /usr/bin/psql: that is pg_wrapper, a Perl script that costs about
# 45 ms of CPU a call before psql starts; timed beside reloc it would flatter every ratio.
PATH="$("$(dirname "$0")/../local-postgres.sh" bindir):$PATH"
if [ -n "${1:-}" ]; then
    reloc="$1"
elif [ -x .build-release/release/reloc ]; then
    reloc=.build-release/release/reloc
else
    reloc=.build/debug/reloc
fi
echo "binary: $reloc"
rows="${BENCH_IMPORT_ROWS:-100000}"
progress_rows="${BENCH_PROGRESS_ROWS:-100000}"
repeat="${BENCH_REPEAT:-3}"
imports="${BENCH_IMPORTS:-enterprise progress}"
# The import is one statement: give it more than the CLI's default statement timeout on a slow machine.
export RELOC_STATEMENT_TIMEOUT_MS="${RELOC_STATEMENT_TIMEOUT_MS:-600000}"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
admin_url="${DATABASE_URL:?run through make bench, or eval \"\$(deploy/local-postgres.sh env)\" first}"
url_of() {
    python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.scheme}://{p.netloc}/{sys.argv[2]}" + (f"?{p.query}" if p.query else ""))' "$admin_url" "$1"
}
seeded_url="$(url_of reloc_import_seeded)"
run_url="$(url_of reloc_import_run)"
work="$(mktemp -d)"
drop_all() {
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_import_run WITH (FORCE)" \
        -c "DROP DATABASE IF EXISTS reloc_import_seeded WITH (FORCE)" >/dev/null 2>&1 || true
}
trap 'rm -rf "$work"; drop_all' EXIT

# The seeded database, kept as the template of every run.
drop_all
psql "$admin_url" -qc "CREATE DATABASE reloc_import_seeded" >/dev/null
DATABASE_URL="$seeded_url" "$reloc" db migrate >/dev/null
DATABASE_URL="$seeded_url" "$reloc" db seed jilin-2014 >/dev/null
psql "$seeded_url" -qc "VACUUM ANALYZE" >/dev/null
fresh_run() {
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_import_run WITH (FORCE)" \
        -c "CREATE DATABASE reloc_import_run TEMPLATE reloc_import_seeded" >/dev/null
}

# The file: in-situ renovations and closures of 四平铁东 (no park, so no milestone rule applies).
awk -v rows="$rows" 'BEGIN {
    print "plan,name,mode,industry,employees,site_ha"
    for (i = 1; i <= rows; i++)
        printf "SP-TD,四平企业%07d,%s,机械制造,%d,%.1f\n", i, (i % 2 ? "in-situ" : "close"), i % 500 + 1, (i % 1000) / 10
}' >"$work/enterprises.csv"

# seconds COMMAND…: wall-clock seconds of one run (the command's output is dropped; failure stops).
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >"$work/last.out" 2>&1 || { echo "failed: $*" >&2; cat "$work/last.out" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
best() { printf '%s\n' "$@" | sort -g | head -n1; }

# The reports: the tasks assigned to 省发改委 in the seed, in turn.
tasks=$(psql "$seeded_url" -qAtc "SELECT string_agg(t.number::text, ' ' ORDER BY t.number) FROM reloc.task t
                                  JOIN reloc.task_assignment a ON a.task_id = t.id
                                  JOIN reloc.organisation o ON o.id = a.org_id WHERE o.code = 'JL-FGW'")
awk -v rows="$progress_rows" -v tasks="$tasks" 'BEGIN {
    n = split(tasks, task, " ")
    print "task,percent,note,evidence"
    for (i = 1; i <= rows; i++)
        printf "%d,%d,第%d次报告：按计划推进,吉发改〔2014〕%d号\n", task[i % n + 1], i % 100, i, i
}' >"$work/reports.csv"

# The same rows in the tables' final form, for the floor: enterprises as (plan_id, city_id, name,
# mode, industry, employees, site_area_ha); reports as (task_id, org_id, percent, status, note, evidence).
plan_ids=$(psql "$seeded_url" -qAtc "SELECT id || ',' || city_id FROM reloc.plan WHERE code = 'SP-TD'")
awk -F, -v ids="$plan_ids" 'NR > 1 { print ids "," $2 "," $3 "," $4 "," $5 "," $6 }' "$work/enterprises.csv" >"$work/enterprise.final.csv"
psql "$seeded_url" -qAtc "SELECT number || ',' || id FROM reloc.task" >"$work/task-ids"
fgw=$(psql "$seeded_url" -qAtc "SELECT id FROM reloc.organisation WHERE code = 'JL-FGW'")
awk -F, -v org="$fgw" 'NR == FNR { id[$1] = $2; next }
    FNR > 1 { printf "%s,%s,%s,%s,%s,\"{%s}\"\n", id[$1], org, $2, ($2 == 100 ? "done" : "on-track"), $3, $4 }' \
    "$work/task-ids" "$work/reports.csv" >"$work/progress.final.csv"

# The staged form of a file, for the import's own statements in psql: its line number first (the
# header is line 1), as the CLI stages it.
awk 'NR > 1 { print NR "," $0 }' "$work/enterprises.csv" >"$work/enterprise.staged.csv"
awk 'NR > 1 { print NR "," $0 }' "$work/reports.csv" >"$work/progress.staged.csv"

# ratio PART WHOLE: PART's throughput as a percentage of WHOLE's (= WHOLE's time / PART's time).
ratio() { echo "scale=4; 100 * $2 / $1" | bc | xargs printf '%.1f'; }

# bench NAME ROWS BARE-COLUMNS FILE COUNT-SQL TABLE FINAL-COLUMNS ORG STAGING STAGED-COLUMNS IMPORT-FUNCTION RELOC-ARGS…:
# the best \copy, floor and import times, checked that each import wrote every row and one audit
# row for each; prints one labelled row per measure.
bench() {
    local name="$1" rows="$2" columns="$3" file="$4" count_sql="$5" table="$6" final_columns="$7" org="$8"
    local staging="$9" staged_columns="${10}" import_function="${11}"
    shift 11
    [[ " $imports " == *" $name "* ]] || return 0
    local copy_times=() floor_times=() statement_times=() import_times=() written role copy floor statements import
    role=$(psql "$seeded_url" -qAtc "SELECT role_name FROM reloc.organisation WHERE code = '$org'")
    for _ in $(seq "$repeat"); do
        fresh_run
        psql "$run_url" -qc "CREATE TABLE bare ($columns)"
        copy_times+=("$(seconds psql "$run_url" -qc "\\copy bare FROM '$file' WITH (FORMAT csv, HEADER true)")")
        # The floor: a copy of the real table (LIKE … INCLUDING ALL: defaults, identity, CHECKs,
        # indexes) with the real table's foreign keys and its audit statement (the same statement
        # trigger, reloc.audit_insert: one INSERT … SELECT of the new rows into reloc.audit); no
        # row trigger, no row-level security, no rule checked.
        psql "$run_url" -qc "CREATE TABLE floor (LIKE reloc.$table INCLUDING ALL)" \
            -c "DO \$floor\$ DECLARE c record; BEGIN
                    FOR c IN SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint
                             WHERE conrelid = 'reloc.$table'::regclass AND contype = 'f' LOOP
                        EXECUTE 'ALTER TABLE floor ADD ' || c.d;
                    END LOOP;
                    EXECUTE (SELECT replace(pg_get_triggerdef(t.oid), ' ON reloc.$table ', ' ON public.floor ')
                             FROM pg_trigger t WHERE t.tgrelid = 'reloc.$table'::regclass AND t.tgname = 'audit_insert');
                END \$floor\$"
        floor_times+=("$(seconds psql "$run_url" -qc "\\copy floor ($final_columns) FROM '$work/$name.final.csv' WITH (FORMAT csv)")")
        written=$(psql "$run_url" -qAtc "SELECT (SELECT count(*) FROM floor), (SELECT count(*) FROM reloc.audit WHERE table_name = 'floor')")
        [ "$written" = "$rows|$rows" ] || { echo "$name floor: wrote (rows, audit rows) $written, not $rows each" >&2; exit 1; }
        # The import's own statements in psql, as the organisation's role (the server's work,
        # without the client's reading of the file): staging COPY, the set-based checks and inserts.
        fresh_run
        statement_times+=("$(seconds psql "$run_url" -v ON_ERROR_STOP=1 -q -f - <<SQL
BEGIN;
SET ROLE $role;
SELECT reloc.$staging();
\\copy $staged_columns FROM '$work/$name.staged.csv' WITH (FORMAT csv)
SELECT count(*) AS bad_lines FROM reloc.$import_function();
COMMIT;
SQL
)")
        written=$(psql "$run_url" -qAtc "$count_sql")
        [ "$written" = "$rows|$rows" ] || { echo "$name (psql): wrote (rows, audit rows) $written, not $rows each" >&2; exit 1; }
        fresh_run
        import_times+=("$(seconds env DATABASE_URL="$run_url" "$reloc" "$@" "$file")")
        written=$(psql "$run_url" -qAtc "$count_sql")
        [ "$written" = "$rows|$rows" ] || { echo "$name: wrote (rows, audit rows) $written, not $rows each" >&2; exit 1; }
    done
    copy=$(best "${copy_times[@]}")
    floor=$(best "${floor_times[@]}")
    statements=$(best "${statement_times[@]}")
    import=$(best "${import_times[@]}")
    printf '%-11s %-7s %-68s %9.3f %9s %9s\n' \
        "$name" "$rows" "psql \\copy into a bare table (no index, constraint, trigger)" "$copy" 100.0 - \
        "$name" "$rows" "floor: \\copy into the real table's copy + its audit statement" "$floor" "$(ratio "$floor" "$copy")" 100.0 \
        "$name" "$rows" "the import's statements in psql as $org (server only)" "$statements" \
        "$(ratio "$statements" "$copy")" "$(ratio "$statements" "$floor")" \
        "$name" "$rows" "reloc ${*} FILE (wall, client included)" "$import" \
        "$(ratio "$import" "$copy")" "$(ratio "$import" "$floor")"
}

printf '%-11s %-7s %-68s %9s %9s %9s\n' import rows measure seconds "%_of_copy" "%_of_floor"
bench enterprise "$rows" "plan text, name text, mode text, industry text, employees integer, site_ha numeric" \
    "$work/enterprises.csv" \
    "SELECT (SELECT count(*) FROM reloc.enterprise WHERE name LIKE '四平企业%'),
            (SELECT count(*) FROM reloc.audit WHERE table_name = 'enterprise' AND acting_org_code = 'SP')" \
    enterprise "plan_id, city_id, name, mode, industry, employees, site_area_ha" SP \
    create_enterprise_import_staging "pg_temp.enterprise_import (line_no, plan, name, mode, industry, employees, site_ha)" \
    import_enterprises \
    enterprise import --as SP
bench progress "$progress_rows" "task integer, percent numeric, note text, evidence text" "$work/reports.csv" \
    "SELECT (SELECT count(*) FROM reloc.progress_report WHERE note LIKE '第%次报告%'),
            (SELECT count(*) FROM reloc.audit WHERE table_name = 'progress_report' AND acting_org_code = 'JL-FGW')" \
    progress_report "task_id, org_id, percent, status, note, evidence" JL-FGW \
    create_progress_import_staging "pg_temp.progress_import (line_no, task, percent, note, evidence)" \
    import_progress_reports \
    task progress-import --as JL-FGW
echo "times in seconds, best of $repeat; %_of_copy: throughput as a percentage of bare \\copy's (goal: ≥ 25 %, on the way to 50 %);"
echo "%_of_floor: throughput as a percentage of the floor's — the floor is \\copy of the same rows in final form (ids, codes) into"
echo "a copy of the real table (indexes, CHECKs, foreign keys) with the same audit statement: no row trigger, policy or rule;"
echo "no import into the real table, audited, can beat it (docs/performance-import.md)"
