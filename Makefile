# reloc — two commands: `make demo` and `make test`. Both set up everything they need:
# packages (apt), a throwaway PostgreSQL in .local-postgres/, the build, the migrations.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
LOCAL_PG := deploy/local-postgres.sh
DB_ENV = eval "$$($(LOCAL_PG) env)"
RELOC := .build/debug/reloc
SWIFT_FLAGS ?=

.PHONY: demo test build db bench lint clean-db

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

## The whole test suite against the real local PostgreSQL.
test: build
	$(DB_ENV); swift test $(SWIFT_FLAGS)

## The reminder job's benchmark (not a test): 1,000,000 milestones; planning time vs psql, a second
## run, peak memory (BENCH_SCALES="100000 1000000" milestones by default).
bench: build
	$(DB_ENV); deploy/bench/remind-bench.sh $(RELOC)
	$(DB_ENV); deploy/bench/import-bench.sh $(RELOC)

## The house style (.swift-format: 4 spaces, 120 columns); `swift format format -i -r Sources Tests` fixes most.
lint:
	swift format lint --strict --recursive Sources Tests Package.swift

## Stop and delete the local cluster.
clean-db:
	$(LOCAL_PG) destroy
