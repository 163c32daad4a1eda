#!/usr/bin/env bash
# The web desk's load bench (make bench, issue 16): reloc-web on loopback over the bench data set
# (deploy/bench/generate.sql: 120 cities, 1,000 plans, BENCH_WEB_ENTERPRISES (100,000), BENCH_WEB_MILESTONES
# milestones, default 1,000,000), 50 concurrent clients (wrk, from Debian, installed when
# missing) for BENCH_WEB_SECONDS (default 20) each:
#   - the home page (总览) of a department (省发展改革委, JL-FGW) and of the province (JL);
#   - a progress report POSTed on the department's task 2 (with its session and form token).
# 总览's figures are kept RELOC_WEB_HOME_SECONDS (default 5) per role and day by reloc-web
# (HomeCache); RELOC_WEB_HOME_SECONDS=0 measures every request reading them afresh.
# Prints p50/p95/p99 latency, requests per second, errors (socket errors and non-2xx/3xx
# answers) and the server's peak RSS (VmHWM), against the goals: p95 < 100 ms for the home page,
# 0 errors, RSS < 200 MB. A fresh database reloc_bench_web on the local cluster, dropped at the end
# (BENCH_KEEP=1 keeps it, and reuses it at the next run when it holds as many milestones:
# generating a million takes half an hour or more on a loaded machine).
# The data set is shaped around the server's today (generate.sql's as_of): reloc-web reads
# overdue and due-soon on reloc.today(), so the milestones due before it are mostly done, as in a
# programme under way, rather than half of a million overdue.
# Usage: deploy/bench/web-bench.sh PATH-TO-RELOC PATH-TO-RELOC-WEB
set -euo pipefail
# The real psql, not Debian's /usr/bin/psql: that is pg_wrapper, a Perl script that costs about
# 45 ms of CPU a call before psql starts; timed beside reloc it would flatter every ratio.
PATH="$("$(dirname "$0")/../local-postgres.sh" bindir):$PATH"
reloc="${1:-.build/debug/reloc}"
reloc_web="${2:-.build/debug/reloc-web}"
here="$(cd "$(dirname "$0")" && pwd)"
milestones="${BENCH_WEB_MILESTONES:-1000000}"
enterprises="${BENCH_WEB_ENTERPRISES:-100000}"
seconds="${BENCH_WEB_SECONDS:-20}"
clients=50
as_of="$(TZ=Asia/Shanghai date +%F)"
admin_url="${DATABASE_URL:?run through make bench, or eval \"\$(deploy/local-postgres.sh env)\" first}"
signin_base="${RELOC_WEB_SIGNIN_URL:?run through make bench, or eval \"\$(deploy/local-postgres.sh env)\" first}"
# BENCH_WEB_DATABASE: another name, to keep data sets of two sizes side by side (with BENCH_KEEP).
db_name="${BENCH_WEB_DATABASE:-reloc_bench_web}"
bench_url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.scheme}://{p.netloc}/{sys.argv[2]}" + (f"?{p.query}" if p.query else ""))' "$admin_url" "$db_name")"
signin_url="${signin_base%/*}/$db_name"
port="${BENCH_WEB_PORT:-18080}"
password="reloc-bench-web"
work="$(mktemp -d)"
server=""
cleanup() {
    if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
    [[ -n "${BENCH_KEEP:-}" ]] || psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 || true
    for login in bench_web_fgw bench_web_jl; do
        psql "$admin_url" -qc "DROP ROLE IF EXISTS $login" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

if ! command -v wrk >/dev/null 2>&1; then
    sudo=()
    [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
    echo "web bench: installing wrk with apt-get" >&2
    "${sudo[@]}" apt-get install -y -q --no-install-recommends wrk >/dev/null \
        || { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q --no-install-recommends wrk >/dev/null; }
fi

if [[ -n "${BENCH_KEEP:-}" ]] && [[ "$(psql "$bench_url" -XqAtc \
    "SELECT count(*) FILTER (WHERE title LIKE '基准节点%') FROM reloc.milestone" 2>/dev/null || true)" == "$milestones" ]]; then
    echo "web bench: reusing the data set of $db_name (BENCH_KEEP)" >&2
    DATABASE_URL="$bench_url" "$reloc" db migrate >/dev/null
    psql "$bench_url" -qc "ANALYZE" >/dev/null
else
    echo "web bench: making the data set (migrate, seed, generate $milestones milestones)" >&2
    started=$SECONDS
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" \
        -c "CREATE DATABASE $db_name" >/dev/null 2>&1
    DATABASE_URL="$bench_url" "$reloc" db migrate >/dev/null
    DATABASE_URL="$bench_url" "$reloc" db seed jilin-2014 >/dev/null
    psql "$bench_url" -q -v cities=120 -v plans=1000 -v enterprises="$enterprises" -v milestones="$milestones" \
        -v as_of="$as_of" -f "$here/generate.sql" >/dev/null
    psql "$bench_url" -qc "VACUUM ANALYZE" >/dev/null
    echo "web bench: data set made in $((SECONDS - started)) s" >&2
fi
printf '%s\n' "$password" >"$work/password"
for login in bench_web_fgw bench_web_jl; do psql "$admin_url" -qc "DROP ROLE IF EXISTS $login" >/dev/null 2>&1 || true; done
DATABASE_URL="$bench_url" "$reloc" --as JL user add bench_web_fgw --org JL-FGW --password-file "$work/password" >/dev/null
DATABASE_URL="$bench_url" "$reloc" --as JL user add bench_web_jl --org JL --password-file "$work/password" >/dev/null

echo "web bench: starting reloc-web on 127.0.0.1:$port" >&2
DATABASE_URL="${bench_url/user=postgres/user=reloc_web}" RELOC_WEB_SIGNIN_URL="$signin_url" \
    RELOC_WEB_POOL="${RELOC_WEB_POOL:-16}" "$reloc_web" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "$base/healthz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }

# sign_in LOGIN: signs in with curl (the sign-in form's token and cookie), prints the session cookie.
sign_in() {
    local jar="$work/$1.jar" page token
    page="$(curl -fsS -c "$jar" "$base/signin")"
    token="$(grep -o 'name="csrf" value="[0-9a-f]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"$//')"
    curl -fsS -b "$jar" -c "$jar" -o /dev/null -d "csrf=$token" -d "login=$1" -d "password=$password" "$base/signin"
    awk '$6 == "reloc_session" { print $7 }' "$jar"
}
fgw="$(sign_in bench_web_fgw)"
jl="$(sign_in bench_web_jl)"
form_token="$(curl -fsS -b "reloc_session=$fgw" "$base/tasks/2" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -n1 | sed 's/.*value="//; s/"$//')"
[[ -n "$fgw" && -n "$jl" && -n "$form_token" ]] || { echo "web bench: could not sign in" >&2; cat "$work/server.log" >&2; exit 1; }

# wrk's report, in one line: the latency percentiles, the rate, and every kind of error.
cat >"$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
    local e = summary.errors
    local errors = e.connect + e.read + e.write + e.timeout + e.status
    io.write(string.format("p50 %7.1f ms  p95 %7.1f ms  p99 %7.1f ms  %7.0f req/s  errors %d (non-2xx/3xx %d)\n",
        latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
        summary.requests / (summary.duration / 1e6), errors, e.status))
end
LUA
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "csrf=$form_token&percent=50&status=on-track&note=%E5%8E%8B%E5%8A%9B%E6%B5%8B%E8%AF%95&evidence="
$(cat "$work/report.lua")
LUA

# load NAME COOKIE SCRIPT PATH [CLIENTS]: wrk's line for 50 clients (or CLIENTS), printed with its name.
load() {
    local line n="${5:-$clients}"
    line="$(wrk -t "$(( n < 2 ? 1 : 2 ))" -c "$n" -d "${seconds}s" --timeout 10s -H "Cookie: reloc_session=$2" -s "$3" "$base$4" | tail -n1)"
    printf '%-38s %s\n' "$1" "$line"
}
echo "web bench: $enterprises enterprises, $milestones milestones (shaped around $as_of), $clients clients, ${seconds}s each, reloc-web pool ${RELOC_WEB_POOL:-16}, 总览 kept ${RELOC_WEB_HOME_SECONDS:-5} s; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# Warm-up (connections of the pool, plans cached), not counted.
wrk -t 2 -c "$clients" -d 3s -H "Cookie: reloc_session=$fgw" "$base/" >/dev/null
# The pages' size, and one client alone: the time a request takes without waiting for others.
printf '%-38s department %s bytes, province %s bytes\n' "home page size" \
    "$(curl -fsS -b "reloc_session=$fgw" "$base/" | wc -c)" "$(curl -fsS -b "reloc_session=$jl" "$base/" | wc -c)"
load "GET / (department JL-FGW), 1 client" "$fgw" "$work/report.lua" "/" 1
load "GET / (province JL), 1 client" "$jl" "$work/report.lua" "/" 1
load "GET / (department JL-FGW)" "$fgw" "$work/report.lua" "/"
load "GET / (province JL)" "$jl" "$work/report.lua" "/"
load "POST /tasks/2/progress (JL-FGW)" "$fgw" "$work/post.lua" "/tasks/2/progress"
reports="$(psql "$bench_url" -Atc "SELECT count(*) FROM reloc.progress_report")"
rss_kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/$server/status")"
printf '%-38s %d reports written; server peak RSS %.1f MB (goal < 200 MB)\n' "progress reports" "$reports" \
    "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')"
echo "goals: p95 < 100 ms for the home page, 0 errors, RSS < 200 MB; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
