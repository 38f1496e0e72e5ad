# Run at ctest time (via TEST_INCLUDE_FILES): lists the GoogleTest suites of TEST_EXECUTABLE and adds
# one CTest test per suite. Each test process pays libtorch's start-up (~1 s), so one process per
# suite rather than per test case keeps the suite fast on 2 cores.
if(NOT EXISTS "${TEST_EXECUTABLE}")
  add_test(auhead_tests_missing "${CMAKE_COMMAND}" -E false)
  return()
endif()
execute_process(COMMAND "${TEST_EXECUTABLE}" --gtest_list_tests OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  add_test(auhead_tests_list_failed "${TEST_EXECUTABLE}" --gtest_list_tests)
  return()
endif()
string(REPLACE "\n" ";" lines "${listing}")
foreach(line IN LISTS lines)
  # Suite lines start in column 0 and end with '.'; test lines are indented.
  if(line MATCHES "^([A-Za-z0-9_/]+)\\.")
    set(suite "${CMAKE_MATCH_1}")
    add_test("${suite}" "${TEST_EXECUTABLE}" "--gtest_filter=${suite}.*" --gtest_brief=1)
    set_tests_properties("${suite}" PROPERTIES TIMEOUT 900 SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\] [0-9]+ test.*\\[  PASSED  \\] 0 tests")
  endif()
endforeach()
