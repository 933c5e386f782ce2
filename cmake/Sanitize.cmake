# -DVIGIL_SANITIZE=ON: the sanitizer build of `make sanitize` and `make fuzz` (docs/fuzzing.md).
# Every target is compiled by clang with AddressSanitizer (LeakSanitizer included) and
# UndefinedBehaviorSanitizer, any finding fatal, plus libFuzzer's coverage instrumentation so
# that the fuzz targets (tests/fuzz) link against the same stage libraries as the unit tests:
# one extra build, not two.
option(VIGIL_SANITIZE "ASan + UBSan + libFuzzer coverage build (clang)" OFF)
if(VIGIL_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "VIGIL_SANITIZE needs clang (libFuzzer): configure with "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(VIGIL_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all)
  add_compile_options(${VIGIL_SANITIZER_FLAGS} -fsanitize=fuzzer-no-link -fno-omit-frame-pointer)
  add_link_options(${VIGIL_SANITIZER_FLAGS})
endif()
