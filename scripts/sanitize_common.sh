# Shared by scripts/sanitize.sh (make sanitize) and scripts/fuzz.sh (make fuzz): the sanitizer
# build directory, its configuration and the environment its binaries run in (docs/fuzzing.md).
# Sourced, not run.
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
FUZZ_TARGETS=(fuzz_lang fuzz_decode fuzz_replay fuzz_cgroup fuzz_oci_state)
# What the unit, lint-golden and replay tests need in the sanitizer build (not the e2e tests:
# they need the real build, root and BPF).
SANITIZE_TEST_TARGETS=(vigil lang_test unit_importer_sigma unit_importer_falco unit_vocabulary unit_match unit_compile unit_kernel
                       unit_proctree unit_output sinks_test agent_test unit_runtime)
# ctest names run under the sanitizers.
SANITIZE_TEST_REGEX='^(unit|lint|replay|rules|arch)\.'

# Any finding is fatal and printed with its stack; LeakSanitizer runs at every exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Configures the directory (clang, -DVIGIL_SANITIZE=ON) once, then builds the given targets.
sanitize_build() {
  if [ ! -f "$ASAN_BUILD_DIR/build.ninja" ]; then
    local launcher=()
    if command -v ccache >/dev/null; then
      launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    fi
    # -O1 and line tables only: the sanitizers' usual trade-off between build time, speed and
    # readable stacks. No -DNDEBUG: asserts are checks too.
    cmake -S . -B "$ASAN_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DVIGIL_SANITIZE=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
      -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" "${launcher[@]}" >/dev/null || return 1
  fi
  cmake --build "$ASAN_BUILD_DIR" -j "${JOBS:-$(nproc)}" --target "$@"
}

# run_fuzz_target NAME SECONDS [extra libFuzzer flags]: runs the seeds of tests/fuzz/corpus/NAME
# first (every one must pass), then fuzzes for SECONDS, keeping what it learns in
# $ASAN_BUILD_DIR/fuzz-corpus/NAME. A crash is saved under $ASAN_BUILD_DIR/fuzz-artifacts/NAME/.
# Prints one line: "NAME: ok, N runs: ..." or "NAME: FAILED ...". Returns non-zero on a finding.
run_fuzz_target() {
  local name=$1 seconds=$2
  shift 2
  local work="$ASAN_BUILD_DIR/fuzz-corpus/$name" artifacts="$ASAN_BUILD_DIR/fuzz-artifacts/$name"
  local log="$ASAN_BUILD_DIR/fuzz-logs/$name.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  local flags=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -print_final_stats=1
               -artifact_prefix="$artifacts/")
  case $name in
    fuzz_decode) flags+=(-max_len=16384) ;;  # a syscall record is larger than the seeds
    fuzz_lang) flags+=(-max_len=8192 -dict=tests/fuzz/vgl.dict) ;;  # seeds longer are cut
    fuzz_replay) flags+=(-dict=tests/fuzz/json.dict) ;;
    fuzz_oci_state) flags+=(-dict=tests/fuzz/json.dict) ;;
  esac
  "$ASAN_BUILD_DIR/fuzz/$name" "${flags[@]}" "$@" "$work" "tests/fuzz/corpus/$name" >"$log" 2>&1
  local rc=$?
  local runs
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1)
  if [ "$rc" -eq 0 ]; then
    echo "$name: ok, ${runs:-?} runs: the seeds, then ${seconds} s of fuzzing ($(ls "$work" | wc -l) inputs in $work)"
    return 0
  fi
  echo "$name: FAILED (exit $rc): $(grep -m1 -E 'ERROR|runtime error|Timeout|out-of-memory|leak' "$log")"
  echo "$name: log $log, reproducer(s): $(ls "$artifacts" | tr '\n' ' ')"
  tail -n 40 "$log" | sed "s/^/  $name| /"
  return 1
}
