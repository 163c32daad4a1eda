#!/usr/bin/env bash
# A throwaway PostgreSQL for the demo, the tests and development: one cluster in a git-ignored
# folder of the checkout, reached through a unix socket in that folder.
#
#   deploy/local-postgres.sh start    install what is missing (apt), initdb once, start, create the db
#   deploy/local-postgres.sh stop     stop the server (the data stays)
#   deploy/local-postgres.sh status   say whether it runs and where
#   deploy/local-postgres.sh env      print export lines: eval "$(deploy/local-postgres.sh env)"
#   deploy/local-postgres.sh psql …   run psql against it
#   deploy/local-postgres.sh bindir   print the folder of the real PostgreSQL programs (the benches'
#                                     psql: Debian's /usr/bin/psql is a Perl wrapper)
#   deploy/local-postgres.sh destroy  stop and delete the folder
#   deploy/local-postgres.sh fresh    start if needed, then drop and create the database anew (the demo)
#
# Settings (environment): RELOC_PG_DIR (folder, default <checkout>/.local-postgres),
# RELOC_PG_DATABASE (default reloc). It also listens on 127.0.0.1 at a free port, where every
# login needs its password (scram-sha-256): reloc-web checks a person's password by connecting
# there as that login (RELOC_WEB_SIGNIN_URL). The cluster trusts unix-socket connections and runs
# with fsync off: it is for trying and testing reloc, never for real data.
set -euo pipefail

checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${RELOC_PG_DIR:-$checkout/.local-postgres}"
# Two reasons to move the cluster to /tmp: run as root, the server runs as `postgres`, which may
# not reach a checkout under /root; and a unix socket path may not exceed 107 bytes.
if [[ -z "${RELOC_PG_DIR:-}" ]]; then
    unreachable=0
    if [[ "$(id -u)" -eq 0 ]]; then
        # Every folder on the way must be searchable by others (checked by mode, so the answer is
        # the same before and after the postgres user exists).
        dir="$checkout"
        while [[ "$dir" != / ]]; do
            (( (8#$(stat -c %a "$dir")) & 1 )) || unreachable=1
            dir="$(dirname "$dir")"
        done
    fi
    if [[ $unreachable == 1 || ${#base} -gt 80 ]]; then
        base="/tmp/reloc-postgres-$(printf '%s' "$checkout" | cksum | cut -d' ' -f1)"
    fi
fi
data="$base/data"
socket_dir="$base/run"
log_file="$base/server.log"
database="${RELOC_PG_DATABASE:-reloc}"
superuser="postgres"
port_file="$base/port"

say() { printf 'local-postgres: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Debian's /usr/bin/psql is a wrapper that picks a cluster; call the real binaries.
find_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -x "$dir/initdb" ]]; then echo "$dir"; return 0; fi
    fi
    # The newest version first (an unmatched pattern stays literal and fails the test below).
    while IFS= read -r dir; do
        if [[ -x "$dir/initdb" ]]; then echo "$dir"; return 0; fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5 -n -r)
    for dir in /usr/local/pgsql/bin /opt/homebrew/bin /usr/local/bin; do
        if [[ -x "$dir/initdb" ]]; then echo "$dir"; return 0; fi
    done
    return 1
}

install_packages() {
    local missing=()
    find_bindir >/dev/null || missing+=(postgresql)
    [[ -f /usr/include/postgresql/libpq-fe.h ]] || missing+=(libpq-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    [[ ${#missing[@]} -eq 0 ]] && return 0
    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get here: install PostgreSQL server and libpq headers yourself"
    local sudo=()
    [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
    say "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
        "${sudo[@]}" apt-get update -q >/dev/null
        "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# initdb refuses to run as root: then the cluster belongs to the postgres user.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port() {
    if [[ -f "$port_file" ]]; then cat "$port_file"; else echo 5432; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

database_url() {
    echo "postgresql:///$database?host=$socket_dir&port=$(port)&user=$superuser"
}

is_running() {
    local bindir
    bindir="$(find_bindir)" || return 1
    [[ -d "$data" ]] && as_owner "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1
}

# The tests run error cases with the server speaking Chinese (lc_messages = zh_CN.UTF-8), to
# prove reloc's words never depend on PostgreSQL's English: the server needs that locale.
ensure_test_locale() {
    locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$' && return 0
    local sudo=()
    [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    if ! command -v localedef >/dev/null 2>&1 || [[ ! -d /usr/share/i18n/locales ]]; then
        command -v apt-get >/dev/null 2>&1 || { say "no zh_CN.UTF-8 locale and no apt-get: the locale tests will fail"; return 0; }
        say "installing locales with apt-get"
        "${sudo[@]}" apt-get install -y -q --no-install-recommends locales >/dev/null \
            || { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q --no-install-recommends locales >/dev/null; }
    fi
    say "generating the zh_CN.UTF-8 locale"
    "${sudo[@]}" localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 || say "could not generate zh_CN.UTF-8: the locale tests will fail"
}

start() {
    install_packages
    ensure_test_locale
    local bindir
    bindir="$(find_bindir)" || die "no PostgreSQL server binaries found after installing"
    mkdir -p "$base"
    if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$base"; fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        say "creating a cluster in $data"
        as_owner "$bindir/initdb" -D "$data" -U "$superuser" --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >"$base/initdb.log" 2>&1 \
            || as_owner "$bindir/initdb" -D "$data" -U "$superuser" --auth=trust --encoding=UTF8 \
                --no-locale >"$base/initdb.log" 2>&1 \
            || die "initdb failed; see $base/initdb.log"
        free_port >"$port_file"
    fi
    # A cluster made before the web desk used port 5432 on its socket only: a TCP port must be
    # free on the machine, so it moves to a free one (restarted once if it runs).
    if [[ "$(port)" == 5432 ]]; then
        if is_running; then as_owner "$bindir/pg_ctl" stop -D "$data" -m fast >/dev/null; fi
        free_port >"$port_file"
    fi
    # Passwords over TCP (reloc-web's sign-in check); the unix socket stays trusted.
    if grep -qE '^host[[:space:]].*[[:space:]]trust[[:space:]]*$' "$data/pg_hba.conf"; then
        as_owner sed -i -E 's/^(host[[:space:]].*[[:space:]])trust[[:space:]]*$/\1scram-sha-256/' "$data/pg_hba.conf"
        if is_running; then as_owner "$bindir/pg_ctl" reload -D "$data" >/dev/null; fi
    fi
    as_owner mkdir -p "$socket_dir"
    if ! is_running; then
        as_owner "$bindir/pg_ctl" start -w -t 60 -D "$data" -l "$log_file" -o \
            "-k $socket_dir -p $(port) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c timezone=UTC" \
            >/dev/null || die "the server did not start; see $log_file"
    fi
    if [[ "$(as_owner "$bindir/psql" -X -A -t -h "$socket_dir" -p "$(port)" -U "$superuser" -d postgres \
        -c "SELECT count(*) FROM pg_database WHERE datname = '$database'")" != 1 ]]; then
        as_owner "$bindir/createdb" -h "$socket_dir" -p "$(port)" -U "$superuser" "$database"
    fi
    say "running: $(database_url)"
    echo "DATABASE_URL=$(database_url)"
}

stop() {
    local bindir
    if is_running; then
        bindir="$(find_bindir)"
        as_owner "$bindir/pg_ctl" stop -D "$data" -m fast >/dev/null
        say "stopped"
    else
        say "not running"
    fi
}

status() {
    if is_running; then
        say "running: $(database_url)"
    else
        say "not running (start it with: $0 start)"
        return 3
    fi
}

env_lines() {
    echo "export DATABASE_URL='$(database_url)'"
    echo "export PGHOST='$socket_dir' PGPORT='$(port)' PGUSER='$superuser' PGDATABASE='$database'"
    echo "export RELOC_WEB_SIGNIN_URL='postgresql://127.0.0.1:$(port)/$database'"
}

run_psql() {
    local bindir
    bindir="$(find_bindir)" || die "no psql found: run $0 start"
    is_running || die "not running: run $0 start"
    exec "$bindir/psql" "$(database_url)" "$@"
}

# The database dropped and created empty (the cluster and its roles stay): what `make demo` starts
# from, so that every demo shows the same programme and the reminder job has its digests to send.
fresh() {
    start >/dev/null
    local bindir
    bindir="$(find_bindir)"
    as_owner "$bindir/dropdb" -h "$socket_dir" -p "$(port)" -U "$superuser" --if-exists --force "$database"
    as_owner "$bindir/createdb" -h "$socket_dir" -p "$(port)" -U "$superuser" "$database"
    say "fresh database: $(database_url)"
}

destroy() {
    stop || true
    rm -rf "$base"
    say "removed $base"
}

command="${1:-}"
shift || true
case "$command" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) env_lines ;;
    bindir) find_bindir || die "no PostgreSQL binaries found (install postgresql, or run $0 start)" ;;
    psql) run_psql "$@" ;;
    destroy) destroy ;;
    fresh) fresh ;;
    *) echo "usage: $0 start|stop|status|env|bindir|psql [args…]|fresh|destroy" >&2; exit 64 ;;
esac
