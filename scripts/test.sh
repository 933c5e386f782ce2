#!/usr/bin/env bash
# Runs every test (unit, lint goldens, replay, e2e) through ctest. The last line is ctest's summary.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
out=$(mktemp)
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "${VIGIL_TEST_JOBS:-2}" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
# Repeat ctest's summary as the very last line so CI reads it.
grep -E '^[0-9]+% tests passed' "$out" | tail -n 1
rm -f "$out"
exit "$rc"
