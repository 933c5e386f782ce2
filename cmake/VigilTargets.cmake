# vigil_stage(NAME SOURCES... [DEPS targets...]): one static library per engine stage,
# compiled with our warnings-as-errors flags.
function(vigil_stage name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${VIGIL_WARNINGS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/engine)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# vigil_unit_test(NAME SOURCES... DEPS ...): a GoogleTest binary registered with ctest.
function(vigil_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${VIGIL_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  include(GoogleTest)
  gtest_discover_tests(${name} TEST_PREFIX "unit." DISCOVERY_TIMEOUT 30)
endfunction()
