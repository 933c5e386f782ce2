#!/usr/bin/env bash
# make sanitize: builds the sanitizer directory (ASan + UBSan + LeakSanitizer, clang; see
# scripts/sanitize_common.sh), runs the unit, lint-golden and replay tests in it, then every fuzz
# target for a few seconds on its seed corpus (SANITIZE_FUZZ_SECONDS, default 5).
# The last line is "N passed, N failed", counting the ctest tests and the fuzz targets.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitize_common.sh
seconds=${SANITIZE_FUZZ_SECONDS:-5}

if ! sanitize_build "${SANITIZE_TEST_TARGETS[@]}" fuzz_targets; then
  echo "0 passed, 1 failed: the sanitizer build failed"
  exit 1
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
ctest --test-dir "$ASAN_BUILD_DIR" -R "$SANITIZE_TEST_REGEX" --output-on-failure \
  -j "${VIGIL_TEST_JOBS:-2}" 2>&1 | tee "$out"
summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$out" | tail -n 1)
if [ -z "$summary" ]; then
  echo "0 passed, 1 failed: ctest did not report in $ASAN_BUILD_DIR"
  exit 1
fi
failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$summary")
passed=$((total - failed))

for t in "${FUZZ_TARGETS[@]}"; do
  if run_fuzz_target "$t" "$seconds"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "sanitize: $ASAN_BUILD_DIR, ctest: $summary; fuzz targets: ${#FUZZ_TARGETS[@]} x ${seconds} s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
