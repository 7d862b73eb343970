#!/usr/bin/env bash
# Runs every test: the pure engine under several process time zones, then the
# whole suite (storage, importers, CLI end to end) on PGlite and on a throwaway
# PostgreSQL 15 server that scripts/with-postgres.sh starts and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

engine_tests=$(find dist/engine -name '*.test.js' | sort)
for tz in UTC Pacific/Kiritimati; do
  echo "== engine tests with TZ=$tz"
  TZ=$tz node --test $engine_tests
done

all_tests=$(find dist -name '*.test.js' | sort)
echo "== all tests (TZ=America/Los_Angeles) on PGlite and PostgreSQL"
TZ=America/Los_Angeles bash scripts/with-postgres.sh node --test --test-timeout=600000 $all_tests
