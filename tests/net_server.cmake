# net_server tests: the HTTP request scanner, and the server on every backend
# that can serve sockets (one ctest each; exit 77 = the probe said no).
add_executable(http_parser_test http_parser_test.cpp)
target_link_libraries(http_parser_test PRIVATE iobench_core GTest::gtest GTest::gtest_main)
add_test(NAME unit.http_parser COMMAND http_parser_test)
set_tests_properties(unit.http_parser PROPERTIES TIMEOUT 60 LABELS unit)

add_executable(net_server_test net_server_test.cpp net_server_http_test.cpp)
target_link_libraries(net_server_test PRIVATE iobench_core GTest::gtest)
# Every backend: those that cannot serve sockets exit 77 with the probe's reason.
set(IOBENCH_NET_SERVER_BACKENDS ${IOBENCH_CONFORMANCE_BACKENDS})
foreach(b IN LISTS IOBENCH_NET_SERVER_BACKENDS)
  add_test(NAME net.server.${b} COMMAND net_server_test --backend=${b})
  set_tests_properties(net.server.${b} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120 LABELS net)
endforeach()
# The protocol sessions (echo, stream, http) on their own: bytes in, what they ask to send.
add_executable(net_session_test net_session_test.cpp)
target_link_libraries(net_session_test PRIVATE iobench_core GTest::gtest GTest::gtest_main)
add_test(NAME unit.net_session COMMAND net_session_test)
set_tests_properties(unit.net_session PROPERTIES TIMEOUT 60 LABELS unit)
