#!/usr/bin/env bash
# `make bench`: every benchmark, each printing ratios against a baseline measured in the same run,
# its output kept in bench/results/NAME.txt (and the scale curves in NAME.tsv); then
# bench/report.py writes bench/results/REPORT.md and draws the PNG plots with gnuplot.
# Took 38 minutes on the loaded 2-core VM of the committed report (the rule-count curve and the
# kernel overhead benchmarks are most of it).
# RESULTS_DIR=DIR writes elsewhere; BENCH_ONLY="replay match" runs only the named ones.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
RESULTS=${RESULTS_DIR:-bench/results}
mkdir -p "$RESULTS"
status=0
# run NAME COMMAND...: prints and keeps the output in $RESULTS/NAME.txt.
run() {
  local name=$1
  shift
  if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $name "* ]]; then return; fi
  echo "== $name: $*"
  "$@" 2>&1 | tee "$RESULTS/$name.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  echo
}

{
  echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit:  $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
  echo "machine: shared VM, $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "kernel:  $(uname -r); memory $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) when the run started"
} > "$RESULTS/machine.txt"

run lint bench/lint/run.sh "$BUILD_DIR/vigil"
run lint_scale env BENCH_DATA="$RESULTS/lint_scale.tsv" bench/lint/scale.sh "$BUILD_DIR/vigil" \
  1000 10000 30000 100000
run proctree "$BUILD_DIR/bench/proctree/bench_proctree" 500000 100000 "$RESULTS/proctree_memory.tsv"
run match "$BUILD_DIR/bench/match/bench_match"
run replay "$BUILD_DIR/bench/replay/bench_replay" "$BUILD_DIR/vigil" --data "$RESULTS/replay.tsv"

run agent python3 bench/agent/run.py "$BUILD_DIR/vigil"
run agent_rate python3 bench/agent/rate_curve.py "$BUILD_DIR/vigil" "$RESULTS/agent_rate.tsv"
# Kernel sensors: cost on the monitored system (root; needs BPF).
run overhead "$BUILD_DIR/bench/overhead/bench_overhead"
run type_cost "$BUILD_DIR/bench/overhead/bench_type_cost"

python3 bench/report.py "$RESULTS" || status=1
exit $status
