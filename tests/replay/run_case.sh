#!/usr/bin/env bash
# Golden replay test: runs `vigil replay` on one case folder and compares stdout, stderr and
# the exit status with the expected files. A case folder holds:
#   policy.vgl      rules and policies
#   events.jsonl    the recorded events
#   args            optional extra arguments (one line), e.g. --strict or --format text
#   expected.out    alerts, byte for byte
#   expected.err    the stderr report (malformed lines, summary)
#   expected.rc     optional exit status (default 0)
# It also checks that a second run gives the same bytes, that --threads 1 and --threads 2 give
# the bytes of the default (--threads auto), and, for JSON output, that every line is one JSON
# object. Usage: run_case.sh VIGIL CASE_DIR [--update]
set -uo pipefail
vigil=$(realpath "$1")
dir=$2
update=${3:-}
cd "$dir" || exit 2
args=()
[ -f args ] && read -r -a args < args
run() { "$vigil" replay --policy policy.vgl "${args[@]}" "${@:2}" events.jsonl >"$1.out" 2>"$1.err"; echo $? >"$1.rc"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run "$tmp/a"
run "$tmp/b"
if [ "$update" = "--update" ]; then
  cp "$tmp/a.out" expected.out; cp "$tmp/a.err" expected.err
  rc=$(cat "$tmp/a.rc"); if [ "$rc" != 0 ]; then echo "$rc" > expected.rc; else rm -f expected.rc; fi
  echo "updated $dir"; exit 0
fi
fail=0
cmp -s "$tmp/a.out" "$tmp/b.out" || { echo "FAIL: two runs gave different alerts"; fail=1; }
for n in 1 2; do
  run "$tmp/t$n" --threads "$n"
  for f in out err rc; do
    cmp -s "$tmp/a.$f" "$tmp/t$n.$f" || { echo "FAIL: --threads $n changed the $f"; fail=1; }
  done
done
diff -u expected.out "$tmp/a.out" || { echo "FAIL: alerts differ from expected.out"; fail=1; }
diff -u expected.err "$tmp/a.err" || { echo "FAIL: stderr differs from expected.err"; fail=1; }
want_rc=0; [ -f expected.rc ] && want_rc=$(cat expected.rc)
[ "$(cat "$tmp/a.rc")" = "$want_rc" ] || { echo "FAIL: exit $(cat "$tmp/a.rc"), expected $want_rc"; fail=1; }
if [[ " ${args[*]-} " != *" text "* ]]; then
  python3 - "$tmp/a.out" <<'PY' || fail=1
import json, sys
data = open(sys.argv[1], "rb").read()
for n, line in enumerate(data.split(b"\n")[:-1], 1):
    if any(b < 0x20 for b in line):
        sys.exit(f"FAIL: line {n} holds a raw control byte")
    text = line.decode("utf-8")  # raises on invalid UTF-8
    if any(0x7f <= ord(ch) <= 0x9f or ch in "\u2028\u2029" for ch in text):
        sys.exit(f"FAIL: line {n} holds a raw DEL, C1 control or line separator")
    if not isinstance(json.loads(line), dict):
        sys.exit(f"FAIL: line {n} is not one JSON object")
PY
fi
exit $fail
