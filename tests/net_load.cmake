# The load generator (client side) against a poll() test server of its own.
add_executable(net_load_test net_load_test.cpp)
target_link_libraries(net_load_test PRIVATE iobench_core GTest::gtest GTest::gtest_main)
add_test(NAME net.load COMMAND net_load_test)
set_tests_properties(net.load PROPERTIES TIMEOUT 120 LABELS net)
