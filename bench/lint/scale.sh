#!/usr/bin/env bash
# Scaling benchmark: `vigil lint` and `vigil test` on generated sets of 10,000, 50,000 and
# 100,000 rules (gen_rules.py, 50 files), each run once under /usr/bin/time -v. Prints the wall
# time and the maximum RSS of each run, and the ratio of the cost per rule at the largest size
# to the cost per rule at the smallest: near 1 means linear growth (a quadratic step would give
# about 10). It asserts nothing about time. With BENCH_DATA=FILE, also writes the points there
# (tab-separated: cmd, rules, seconds, max RSS in MiB) for bench/report.py.
#   bench/lint/scale.sh [VIGIL] [SIZES...]
set -euo pipefail
vigil=${1:-build/vigil}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000 100000)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
here=$(dirname "$0")
measure() {  # measure COMMAND DIR -> "seconds max_rss_kib"
  /usr/bin/time -v "$vigil" "$1" "$2" > /dev/null 2> "$scratch/time" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$scratch/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$scratch/time")
  echo "$wall $rss"
}
printf '%-6s %8s %10s %12s %12s %14s\n' cmd rules seconds max_rss_MiB us_per_rule KiB_per_rule
data=${BENCH_DATA:-/dev/null}
printf '# cmd\trules\tseconds\tmax_rss_MiB\n' > "$data"
for cmd in lint test; do
  first_t="" first_m=""
  for n in "${sizes[@]}"; do
    dir="$scratch/r$n"
    [ -d "$dir" ] || python3 "$here/gen_rules.py" "$dir" "$n" 50
    read -r t m <<< "$(measure "$cmd" "$dir")"
    per_t=$(echo "$t * 1000000 / $n" | bc -l)
    per_m=$(echo "$m / $n" | bc -l)
    printf '%-6s %8d %10.2f %12.1f %12.1f %14.2f\n' "$cmd" "$n" "$t" "$(echo "$m / 1024" | bc -l)" "$per_t" "$per_m"
    printf '%s\t%d\t%.2f\t%.1f\n' "$cmd" "$n" "$t" "$(echo "$m / 1024" | bc -l)" >> "$data"
    [ -n "$first_t" ] || { first_t=$per_t; first_m=$per_m; }
    last_t=$per_t last_m=$per_m
  done
  printf '%s: cost per rule at %d rules / at %d rules: time %.2f, memory %.2f (1 is linear)\n' \
    "$cmd" "${sizes[-1]}" "${sizes[0]}" "$(echo "$last_t / $first_t" | bc -l)" "$(echo "$last_m / $first_m" | bc -l)"
done
