# reloc — two commands: `make demo` and `make test`. Both set up everything they need:
# packages (apt), a throwaway PostgreSQL in .local-postgres/, the build, the migrations.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
LOCAL_PG := deploy/local-postgres.sh
DB_ENV = eval "$$($(LOCAL_PG) env)"
RELOC := .build/debug/reloc
SWIFT_FLAGS ?=

.PHONY: demo test build db bench release release-web lint clean-db web

## Start the local PostgreSQL (installing postgresql and libpq-dev if missing).
db:
	$(LOCAL_PG) start >/dev/null

build: db
	swift build $(SWIFT_FLAGS)

## Build, start PostgreSQL, and on a fresh database: migrate, load the Jilin reference data, show
## the programme and end with the reminder job (the same demo every time).
demo: build
	$(LOCAL_PG) fresh
	$(DB_ENV); deploy/demo.sh $(RELOC)

## The web desk (reloc-web) on the demo database: prints its URL and the demo logins
## (docs/usage/web.md). RELOC_WEB_LISTEN=HOST:PORT to listen elsewhere than 127.0.0.1:8080.
web: build
	$(DB_ENV); deploy/web-demo.sh $(RELOC) .build/debug/reloc-web

## The whole test suite against the real local PostgreSQL. One build with the tests (it builds
## reloc and reloc-web too): `swift build` first and then `swift test` would compile everything,
## Hummingbird included, twice (testability changes every module's flags).
test: db
	swift build --build-tests $(SWIFT_FLAGS)
	$(DB_ENV); swift test --skip-build $(SWIFT_FLAGS)

## The release build (its own scratch path, .build-release): the Swift runtime linked statically,
## so that a command starts without loading and binding the runtime's shared libraries. A PIE
## (ASLR for the executable too): -no-pie saved 2.8 MB of peak RSS and no measurable CPU, not
## worth the address-space randomisation; not stripped, which saved disk only (docs/performance-cli.md).
RELEASE := .build-release/release/reloc
release:
	swift build -c release --scratch-path .build-release --static-swift-stdlib --product reloc

## reloc-web's release build, for the web row of `make bench` (deploy/bench/web-bench.sh).
RELEASE_WEB := .build-release/release/reloc-web
release-web:
	swift build -c release --scratch-path .build-release --static-swift-stdlib --product reloc-web

## The benchmarks (not tests): the reminder job over 1,000,000 milestones, planning time vs psql, a
## second run, peak memory (BENCH_SCALES="100000 1000000" milestones by default); the CSV imports
## vs psql \copy, release build (docs/performance-import.md); then the CLI's own cost, release
## build: a command vs psql -c of the same statements, --help, peak memory; then the workbooks:
## --format xlsx of 100,000 enterprises (time, peak RSS) and its import vs the CSV import; then
## `reloc board` and `reloc bulletin draft` over 1,000,000 milestones (goal < 2 s each); then
## reloc-web under 50 concurrent clients (home page, progress POST; docs/performance-web.md).
bench: build release release-web
	$(DB_ENV); deploy/bench/remind-bench.sh $(RELOC)
	$(DB_ENV); deploy/bench/import-bench.sh $(RELEASE)
	$(DB_ENV); deploy/bench/cli-bench.sh $(RELEASE)
	$(DB_ENV); deploy/bench/supervision-bench.sh $(RELEASE)
	$(DB_ENV); deploy/bench/excel-bench.sh $(RELEASE)
	$(DB_ENV); deploy/bench/web-bench.sh $(RELEASE) $(RELEASE_WEB)

## The shell scripts: every file under deploy/ and .ci/ whose first line is a sh or bash shebang.
SHELL_SCRIPTS = $(shell find deploy .ci -type f -exec awk 'FNR == 1 { if (/^\#!.*[/ ](ba|da)?sh( |$$)/) print FILENAME; nextfile }' {} + | sort)
## Migrations released before squawk ran: checked with their own exclusions (.squawk-released.toml).
RELEASED_MIGRATIONS = $(wildcard sql/migrations/000[1-9]_*.sql sql/migrations/001[0-2]_*.sql)

## The house style (.swift-format: 4 spaces, 120 columns); `swift format format -i -r Sources Tests` fixes most.
## Then the SQL (squawk, .squawk.toml; docs/migrations.md) and the shell scripts (shellcheck),
## both installed by .ci/lint-tools.sh when missing.
lint:
	swift format lint --strict --recursive Sources Tests Package.swift
	squawk="$$(.ci/lint-tools.sh)"; \
	"$$squawk" --config .squawk.toml sql/migrations/*.sql sql/definitions/*.sql; \
	"$$squawk" --config .squawk-released.toml $(RELEASED_MIGRATIONS)
	shellcheck $(SHELL_SCRIPTS)

## Stop and delete the local cluster.
clean-db:
	$(LOCAL_PG) destroy
