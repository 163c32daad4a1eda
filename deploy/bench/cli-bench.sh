#!/usr/bin/env bash
# The CLI's own cost (make bench, issue 13 "Speed"): one command against psql -c of the very same
# statements, measured in the same run, on the Jilin reference data (docs/performance-cli.md):
#   - `reloc --as JL-FGW task list` (a read) and `reloc --as JL-FGW task progress 4 …` (a write),
#     each as the ratio of its median wall time to psql's (goal ≤ 1.5);
#   - `reloc --help` (goal ≤ 5 ms);
#   - peak memory of `task list` (goal ≤ 20 MB), psql's beside it.
# psql replays what reloc sent: one reloc run is recorded with log_statement = all, and the
# statements are sent by one `psql -c` with the bound values written in, on a connection with
# reloc's settings (PGOPTIONS). Medians of BENCH_RUNS runs (default 40) after a warm-up run.
# Usage: deploy/bench/cli-bench.sh PATH-TO-RELOC   (a release build: make bench builds one)
set -euo pipefail
# The real psql, not Debian's /usr/bin/psql: that is pg_wrapper, a Perl script that costs about
# 45 ms of CPU a call before psql starts; timed beside reloc it would flatter every ratio.
PATH="$("$(dirname "$0")/../local-postgres.sh" bindir):$PATH"
reloc="${1:?usage: cli-bench.sh PATH-TO-RELOC (a release build)}"
runs="${BENCH_RUNS:-40}"
admin_url="${DATABASE_URL:?run through make bench, or eval \"\$(deploy/local-postgres.sh env)\" first}"
bench_url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.scheme}://{p.netloc}/reloc_cli_bench" + (f"?{p.query}" if p.query else ""))' "$admin_url")"
work="$(mktemp -d)"
trap '[[ -n "${BENCH_KEEP:-}" ]] || rm -rf "$work"; psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_cli_bench WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
# The server's log (deploy/local-postgres.sh keeps it beside the data directory).
server_log="${RELOC_BENCH_SERVER_LOG:-$(dirname "$(psql "$admin_url" -XAtc 'SHOW data_directory')")/server.log}"
[[ -r "$server_log" ]] || { echo "cli-bench: cannot read the server log $server_log (set RELOC_BENCH_SERVER_LOG)" >&2; exit 1; }
# reloc's connection settings (LibPQClient's PGConnection), given to psql too.
export PGOPTIONS="-c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c client_min_messages=warning -c statement_timeout=60000 -c TimeZone=Asia/Shanghai"

psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_cli_bench WITH (FORCE)" -c "CREATE DATABASE reloc_cli_bench" >/dev/null 2>&1
DATABASE_URL="$bench_url" "$reloc" db migrate >/dev/null
DATABASE_URL="$bench_url" "$reloc" db seed jilin-2014 >/dev/null
psql "$bench_url" -qc "VACUUM ANALYZE" >/dev/null

# statements NAME ARGS…: runs reloc once with every statement logged; writes them, the bound
# values written in as literals, into $work/NAME.sql, one psql -c string.
statements() {
    local name="$1"; shift
    psql "$admin_url" -qc "ALTER DATABASE reloc_cli_bench SET log_statement = 'all'" >/dev/null
    local offset
    offset=$(stat -c %s "$server_log")
    DATABASE_URL="$bench_url" "$reloc" "$@" >/dev/null
    sleep 0.2
    psql "$admin_url" -qc "ALTER DATABASE reloc_cli_bench RESET log_statement" >/dev/null
    # shellcheck disable=SC2016  # a Python program in single quotes: its $1 are not the shell's
    tail -c +"$((offset + 1))" "$server_log" | python3 -c '
import re, sys
statements, current, detail = [], None, None
def finish():
    if current is not None:
        sql = current
        if detail:
            # "$1 = '"'"'a'"'"', $2 = NULL": values as SQL literals, highest number first ($10 before $1).
            values = dict(re.findall(r"\$(\d+) = ((?:\x27(?:[^\x27]|\x27\x27)*\x27)|NULL)", detail))
            for n in sorted(values, key=int, reverse=True):
                sql = re.sub(r"\$" + n + r"(?!\d)", lambda _: values[n], sql)
        statements.append(sql.strip().rstrip(";"))
for line in sys.stdin.read().split("\n"):
    m = re.search(r"LOG:  (?:statement|execute [^:]*): (.*)$", line)
    if m:
        finish(); current, detail = m.group(1), None; continue
    m = re.search(r"DETAIL:  parameters: (.*)$", line)
    if m and current is not None:
        detail = m.group(1); continue
    if line.startswith("\t") and current is not None and detail is None:
        current += "\n" + line[1:]; continue
    if re.search(r"\b(LOG|ERROR|STATEMENT|DETAIL|HINT|WARNING):", line):
        finish(); current, detail = None, None
finish()
print(";\n".join(s for s in statements if s and "log_statement" not in s) + ";")
' >"$work/$name.sql"
    [[ -s "$work/$name.sql" && "$(cat "$work/$name.sql")" != ";" ]] || { echo "cli-bench: no statements recorded for $name" >&2; exit 1; }
}

# median_ms COMMAND…: the median wall time of $runs runs, in milliseconds (one warm-up run first).
# A run that fails stops the bench: a reloc that exits at once with an error would time well.
median_ms() {
    "$@" >/dev/null 2>&1 || { echo "cli-bench: exit $?: $*" >&2; return 1; }
    local i start times=()
    for ((i = 0; i < runs; i++)); do
        start=$EPOCHREALTIME
        "$@" >/dev/null 2>&1 || { echo "cli-bench: exit $?: $*" >&2; return 1; }
        times+=("$(echo "$EPOCHREALTIME - $start" | bc)")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.1f", m * 1000 }'
}
peak_mb() {
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || { echo "cli-bench: exit $?: $*" >&2; return 1; }
    awk '{ printf "%.1f", $1 / 1024 }' "$work/rss"
}
ratio() { echo "scale=3; $1 / $2" | bc | xargs printf '%.2f'; }

list=(--as JL-FGW task list)
progress=(--as JL-FGW task progress 4 --percent 40 --note "cli bench")
statements list "${list[@]}"
statements progress "${progress[@]}"
# psql must run them without an error (a failing replay would pass for a fast one).
for name in list progress; do
    psql "$bench_url" -XqAt -v ON_ERROR_STOP=1 -c "$(cat "$work/$name.sql")" >/dev/null \
        || { echo "cli-bench: psql could not replay $name:" >&2; cat "$work/$name.sql" >&2; exit 1; }
done

reloc_list=$(DATABASE_URL="$bench_url" median_ms "$reloc" "${list[@]}")
psql_list=$(median_ms psql "$bench_url" -XqAt -c "$(cat "$work/list.sql")")
reloc_progress=$(DATABASE_URL="$bench_url" median_ms "$reloc" "${progress[@]}")
psql_progress=$(median_ms psql "$bench_url" -XqAt -c "$(cat "$work/progress.sql")")
help_ms=$(median_ms "$reloc" --help)
rss_reloc=$(DATABASE_URL="$bench_url" peak_mb "$reloc" "${list[@]}")
rss_psql=$(peak_mb psql "$bench_url" -XqAt -c "$(cat "$work/list.sql")")
rss_help=$(peak_mb "$reloc" --help)

printf '%-34s %-9s %-9s %-6s\n' command reloc_ms psql_ms ratio
printf '%-34s %-9s %-9s %-6s\n' "task list --as JL-FGW" "$reloc_list" "$psql_list" "$(ratio "$reloc_list" "$psql_list")"
printf '%-34s %-9s %-9s %-6s\n' "task progress 4 --as JL-FGW (write)" "$reloc_progress" "$psql_progress" \
    "$(ratio "$reloc_progress" "$psql_progress")"
printf '%-34s %-9s\n' "--help" "$help_ms"
printf 'peak RSS MB: task list %s (psql %s), --help %s; binary %s MB; medians of %s runs\n' \
    "$rss_reloc" "$rss_psql" "$rss_help" "$(du -m "$(readlink -f "$reloc")" | cut -f1)" "$runs"
echo "goals: ratio ≤ 1.5; --help ≤ 5 ms; peak RSS ≤ 20 MB (statements: $(grep -c ';$' "$work/list.sql") for task list, $(grep -c ';$' "$work/progress.sql") for task progress)"
