#!/usr/bin/env bash
# `make bench`: every benchmark, each printing ratios against a baseline measured in the same run.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
status=0
run() { echo "== $*"; "$@" || status=1; echo; }

run bench/lint/run.sh "$BUILD_DIR/vigil"
run bench/lint/scale.sh "$BUILD_DIR/vigil"
run "$BUILD_DIR/bench/proctree/bench_proctree"
run "$BUILD_DIR/bench/match/bench_match" "$BUILD_DIR/vigil"

run python3 bench/agent/run.py "$BUILD_DIR/vigil"
# Kernel sensors: cost on the monitored system (root; needs BPF).
run "$BUILD_DIR/bench/overhead/bench_overhead"
run "$BUILD_DIR/bench/overhead/bench_type_cost"

exit $status
