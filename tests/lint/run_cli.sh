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

# A path that cannot be read is a finding (V044) in every format and for every command that
# loads rules, never "ok" (docs/lint.md).
check_output() {  # check_output DESCRIPTION EXPECTED_STATUS PATTERN COMMAND...
  local what=$1 want=$2 pattern=$3
  shift 3
  "$@" > /tmp/vigil-lint-cli.$$ 2>&1
  local got=$?
  if [ "$got" != "$want" ] || ! grep -q -- "$pattern" /tmp/vigil-lint-cli.$$; then
    echo "FAIL: $what: exit $got (want $want), output should match '$pattern':"
    sed 's/^/    /' /tmp/vigil-lint-cli.$$ | head -20; fail=1
  elif grep -q '^ok: ' /tmp/vigil-lint-cli.$$; then
    echo "FAIL: $what: says ok:"; sed 's/^/    /' /tmp/vigil-lint-cli.$$ | head -20; fail=1
  else
    echo "ok: $what"
  fi
}
nope="$scratch/nope.vgl"
check_output "missing file is a finding (text)" 2 "nope.vgl: error\[V044\]: cannot read: No such file" "$vigil" lint "$nope"
check_output "missing file is a finding (json)" 2 '"code": "V044"' "$vigil" lint --format json "$nope"
check_output "missing file is a finding (sarif)" 2 '"ruleId": "V044"' "$vigil" lint --format sarif "$nope"
check_output "empty directory is a finding" 2 "empty: error\[V044\]: no .vgl files" "$vigil" lint "$scratch/empty"
for cmd in test compile rules; do
  check_output "vigil $cmd reports a missing file as V044" 2 "error\[V044\]" "$vigil" $cmd tests/lint/cases/clean.vgl "$nope"
done
check_output "vigil replay reports a missing policy file as V044" 2 "error\[V044\]" \
  sh -c "echo '{}' | \"$vigil\" replay --policy \"$nope\" -"
# Input that is not a rule file or does not end: one finding, promptly.
check_output "/dev/zero is one finding" 2 "NUL byte" timeout 20 "$vigil" lint /dev/zero
mkfifo "$scratch/fifo.vgl"
( timeout 90 yes 'list x = [a]' > "$scratch/fifo.vgl" 2>/dev/null & )
check_output "an endless FIFO stops at the size limit" 2 "longer than 64 MiB" timeout 60 "$vigil" lint "$scratch/fifo.vgl"
head -c 100000 /dev/urandom > "$scratch/random.vgl"
check_output "random bytes are one finding" 2 "not a rule file" "$vigil" lint "$scratch/random.vgl"
if [ "$(wc -l < /tmp/vigil-lint-cli.$$)" -gt 3 ]; then echo "FAIL: random bytes printed more than 3 lines"; fail=1; fi
# The same file reached several ways is loaded once: no duplicate of itself.
ln -s "$scratch/nested/deeper/clean.vgl" "$scratch/nested/link.vgl"
check "same file by name, directory and symlink" 0 "$vigil" lint --werror "$scratch/nested" "$scratch/nested/deeper/../deeper/clean.vgl"
check "same file twice for vigil test" 0 "$vigil" test tests/lint/cases/clean.vgl ./tests/lint/cases/clean.vgl
# Findings past --max-findings are counted: exit status and JSON totals include them.
check_output "findings past the limit are counted in JSON" 1 '"errors": 3' "$vigil" lint --format json --max-findings 1 tests/lint/cases/three_errors.vgl

# Composition (issue 15): rules --tag filters (an unknown tag is a usage error), compile
# --explain lists a rule's exceptions, vigil test runs an upstream rule's tests with appends.
printf '%s\n' 'rule a { desc "d" severity low tags [noisy] on exec }' \
  'rule c { desc "d" severity low tags [net] on exec }' > "$scratch/tags.vgl"
check_output "vigil rules --tag lists only that tag" 0 "^c  " "$vigil" rules --tag net "$scratch/tags.vgl"
if grep -q "^a  " /tmp/vigil-lint-cli.$$; then echo "FAIL: rules --tag net listed rule a"; fail=1; fi
check_output "vigil rules --tag twice lists either" 0 "^c  " "$vigil" rules --tag noisy --tag net "$scratch/tags.vgl"
if ! grep -q "^a  " /tmp/vigil-lint-cli.$$; then echo "FAIL: rules --tag noisy --tag net missed rule a"; fail=1; fi
check_output "vigil rules --tag with no such tag" 2 "no rule has the tag 'nosuch'" "$vigil" rules --tag nosuch "$scratch/tags.vgl"
check_output "compile --explain lists exceptions" 0 "exception package_managers (proc.name, file.path startswith): 2 tuples" \
  sh -c "sed -n '1,16p' tests/lint/cases/exceptions.vgl | \"$vigil\" compile --explain -"
check_output "appended tuple fails the upstream alert case" 1 "base.vgl:15:3: test write_log: expected an alert" "$vigil" test tests/lint/cases/append/
check_output "upstream tests pass with the appends minus the silencing tuple" 0 "6 cases for 1 rule: 6 passed" \
  sh -c "sed '/silences an upstream/d' tests/lint/cases/append/local.vgl > \"$scratch/local.vgl\" && \"$vigil\" test tests/lint/cases/append/base.vgl \"$scratch/local.vgl\""

# Correlation (issue 15): multi-event test cases pass, a case whose last event comes after the
# window fails with its position and the event count, compile --explain shows the state bound.
check_output "multi-event cases of correlations pass" 0 "6 cases for 3 rules: 6 passed" \
  "$vigil" test tests/lint/cases/correlation.vgl
check_output "an alert case past the window fails at its last event" 1 \
  "/corr.vgl:41:5: test dropped_then_run: expected an alert at the last of 2 events (400s), but the rule stayed quiet" \
  sh -c "sed '41s/20s exec/400s exec/' tests/lint/cases/correlation.vgl > \"$scratch/corr.vgl\" && \"$vigil\" test \"$scratch/corr.vgl\""
check_output "compile --explain shows a correlation's state bound" 0 \
  "state bound: at most 10000 keys (least recently used evicted, counted), 16 partial sequences per key, 32 events per key" \
  "$vigil" compile --explain tests/lint/cases/correlation.vgl
# The candidate index (docs/matching.md): compile --explain shows what each rule (each step)
# requires of an event before it is evaluated.
check_output "compile --explain shows a step's candidate-index requirement" 0 \
  "candidate index, open (step written): evaluated only when file.path startswith a value" \
  "$vigil" compile --explain tests/lint/cases/correlation.vgl

# Every code in the registry has a golden case that produces it.
for code in $("$vigil" lint --format sarif tests/lint/cases/clean.vgl | grep -o '"id": "V[0-9]*"' | grep -o 'V[0-9]*'); do
  if ! grep -q "\[$code\]" tests/lint/cases/*.expected; then
    echo "FAIL: no golden case produces $code"; fail=1
  fi
done
exit $fail
