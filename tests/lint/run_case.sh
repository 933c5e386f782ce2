#!/usr/bin/env bash
# Golden test for `vigil lint`: runs one case and compares stdout and the exit status with
# cases/NAME.expected. Run from the repository root so that paths in the output are stable.
#   run_case.sh VIGIL NAME [extra lint arguments...]
# The input is cases/NAME.vgl or the folder cases/NAME/; NAME.args may hold extra arguments.
# VIGIL_UPDATE_GOLDEN=1 rewrites the expected file instead of comparing (review the diff!).
set -uo pipefail
vigil=$1
name=$2
shift 2
dir=tests/lint/cases
input=$dir/$name.vgl
[ -d "$dir/$name" ] && input=$dir/$name
args=("$@")
if [ -f "$dir/$name.args" ]; then
  read -r -a extra < "$dir/$name.args"
  args+=("${extra[@]}")
fi
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
"$vigil" lint "${args[@]}" "$input" > "$actual" 2>&1
echo "[exit $?]" >> "$actual"
expected=$dir/$name.expected
if [ "${VIGIL_UPDATE_GOLDEN:-0}" = 1 ]; then
  cp "$actual" "$expected"
  echo "updated $expected"
  exit 0
fi
if ! diff -u "$expected" "$actual"; then
  echo "FAIL: lint output for $input differs from $expected (- expected, + actual)"
  exit 1
fi
