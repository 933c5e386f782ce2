#!/usr/bin/env bash
# make fuzz: runs every libFuzzer target of tests/fuzz for FUZZ_SECONDS (default 60) each, in
# the sanitizer build (scripts/sanitize_common.sh), after its seed corpus. FUZZ_ONLY="a b"
# picks targets; extra libFuzzer flags go in FUZZ_FLAGS (e.g. "-jobs=2 -workers=2").
# The last line is "N passed, N failed", one per target; a finding's reproducer is saved under
# build-asan/fuzz-artifacts/<target>/ (docs/fuzzing.md says what to do with it).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitize_common.sh
seconds=${FUZZ_SECONDS:-60}
if [ -n "${FUZZ_ONLY:-}" ]; then read -r -a FUZZ_TARGETS <<<"$FUZZ_ONLY"; fi
read -r -a extra <<<"${FUZZ_FLAGS:-}"

if ! sanitize_build "${FUZZ_TARGETS[@]}"; then
  echo "0 passed, 1 failed: the sanitizer build failed"
  exit 1
fi
passed=0 failed=0
for t in "${FUZZ_TARGETS[@]}"; do
  if run_fuzz_target "$t" "$seconds" "${extra[@]}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
