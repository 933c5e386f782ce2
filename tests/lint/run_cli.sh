#!/usr/bin/env bash
# Command-line contract of `vigil lint` beyond single cases: stdin, exit status 2 for I/O
# problems, --werror, and that every check listed in docs/lint.md has a golden case.
set -uo pipefail
vigil=$1
fail=0
check() {  # check DESCRIPTION EXPECTED_STATUS COMMAND...
  local what=$1 want=$2
  shift 2
  "$@" > /tmp/vigil-lint-cli.$$ 2>&1
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"; sed 's/^/    /' /tmp/vigil-lint-cli.$$; fail=1
  else
    echo "ok: $what"
  fi
}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch" /tmp/vigil-lint-cli.$$' EXIT
mkdir -p "$scratch/empty" "$scratch/nested/deeper"
cp tests/lint/cases/clean.vgl "$scratch/nested/deeper/"
echo "not a rule file" > "$scratch/nested/README.txt"

check "clean file from stdin" 0 sh -c "\"$vigil\" lint - < tests/lint/cases/clean.vgl"
check "errors from stdin" 1 sh -c "\"$vigil\" lint - < tests/lint/cases/three_errors.vgl"
check "missing file" 2 "$vigil" lint "$scratch/does-not-exist.vgl"
check "directory without .vgl files" 2 "$vigil" lint "$scratch/empty"
check "recursive directory" 0 "$vigil" lint "$scratch/nested"
check "no path given" 2 "$vigil" lint
check "unknown format" 2 "$vigil" lint --format xml tests/lint/cases/clean.vgl
check "warnings pass without --werror" 0 "$vigil" lint tests/lint/cases/unused.vgl
check "warnings fail with --werror" 1 "$vigil" lint --werror tests/lint/cases/unused.vgl
check "clean passes with --werror" 0 "$vigil" lint --werror tests/lint/cases/clean.vgl
check "one missing path among good ones" 2 "$vigil" lint tests/lint/cases/clean.vgl "$scratch/nope"
if [ "$(id -u)" = 0 ]; then
  : # root reads everything: the unreadable-file case needs an unprivileged user
else
  echo 'rule x {}' > "$scratch/unreadable.vgl"; chmod 000 "$scratch/unreadable.vgl"
  check "unreadable file" 2 "$vigil" lint "$scratch/unreadable.vgl"
fi

# Every code in the registry has a golden case that produces it.
for code in $("$vigil" lint --format sarif tests/lint/cases/clean.vgl | grep -o '"id": "V[0-9]*"' | grep -o 'V[0-9]*'); do
  if ! grep -q "\[$code\]" tests/lint/cases/*.expected; then
    echo "FAIL: no golden case produces $code"; fail=1
  fi
done
exit $fail
