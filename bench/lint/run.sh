#!/usr/bin/env bash
# Lint benchmark: times `vigil lint` on generated sets of 1,000 and 10,000 rules (50 files each,
# with lists and macros), interleaving repetitions, and prints both medians and their ratio.
# Goal: 10,000 rules in under one second; linear growth means a ratio near 10.
set -euo pipefail
vigil=${1:-build/vigil}
reps=${REPS:-5}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
here=$(dirname "$0")
python3 "$here/gen_rules.py" "$scratch/small" 1000 50
python3 "$here/gen_rules.py" "$scratch/large" 10000 50
"$vigil" lint "$scratch/small" > /dev/null || { echo "generated small set does not lint clean"; exit 1; }
"$vigil" lint "$scratch/large" > /dev/null || { echo "generated large set does not lint clean"; exit 1; }
time_once() {  # prints seconds
  local start end
  start=$(date +%s.%N)
  "$vigil" lint "$1" > /dev/null || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
small=() large=()
for _ in $(seq "$reps"); do
  small+=("$(time_once "$scratch/small")")
  large+=("$(time_once "$scratch/large")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms=$(median "${small[@]}")
ml=$(median "${large[@]}")
printf 'lint  1,000 rules: %.3f s (median of %d)\n' "$ms" "$reps"
printf 'lint 10,000 rules: %.3f s (median of %d)  goal < 1 s: %s\n' "$ml" "$reps" \
  "$(echo "$ml < 1" | bc -l | sed 's/1/met/;s/0/MISSED/')"
printf 'ratio 10,000 / 1,000: %.2f (linear growth: about 10)\n' "$(echo "$ml / $ms" | bc -l)"
