# net_server tests: the HTTP request scanner, and the server on every backend
# that can serve sockets (one ctest each; exit 77 = the probe said no).
add_executable(http_parser_test http_parser_test.cpp)
target_link_libraries(http_parser_test PRIVATE iobench_core GTest::gtest GTest::gtest_main)
add_test(NAME unit.http_parser COMMAND http_parser_test)
set_tests_properties(unit.http_parser PROPERTIES TIMEOUT 60 LABELS unit)

add_executable(net_server_test net_server_test.cpp net_server_http_test.cpp net_server_ws_test.cpp net_server_hostile_test.cpp)
target_link_libraries(net_server_test PRIVATE iobench_core GTest::gtest)
# Every backend: those that cannot serve sockets exit 77 with the probe's reason.
set(IOBENCH_NET_SERVER_BACKENDS ${IOBENCH_CONFORMANCE_BACKENDS})
foreach(b IN LISTS IOBENCH_NET_SERVER_BACKENDS)
  add_test(NAME net.server.${b} COMMAND net_server_test --backend=${b})
  set_tests_properties(net.server.${b} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120 LABELS net)
endforeach()
# The protocol sessions (echo, stream, http) on their own: bytes in, what they ask to send.
# The WebSocket pieces on their own: accept key, handshake, frame parser; the ws_echo sessions.
foreach(t ws_frame ws_session utf8_check lws_glib_poller)
  add_executable(${t}_test ${t}_test.cpp)
  target_link_libraries(${t}_test PRIVATE iobench_core GTest::gtest GTest::gtest_main)
  add_test(NAME unit.${t} COMMAND ${t}_test)
  set_tests_properties(unit.${t} PROPERTIES TIMEOUT 60 LABELS unit)
endforeach()
add_executable(net_session_test net_session_test.cpp)
target_link_libraries(net_session_test PRIVATE iobench_core GTest::gtest GTest::gtest_main)
add_test(NAME unit.net_session COMMAND net_session_test)
set_tests_properties(unit.net_session PROPERTIES TIMEOUT 60 LABELS unit)

# ws_echo interop with python3-websockets (Debian, /usr/bin/python3: pyenv's python3 on PATH lacks it):
# its client against `iobench serve` on each socket backend, and `iobench load` against its server.
# Skipped (77) where python3-websockets is missing.
foreach(b blocking epoll posix_aio libaio io_uring io_uring_sqpoll)
  add_test(NAME e2e.ws_interop_serve.${b} COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/ws_interop.py
           $<TARGET_FILE:iobench> serve ${b})
  set_tests_properties(e2e.ws_interop_serve.${b} PROPERTIES TIMEOUT 90 LABELS "e2e;net" SKIP_RETURN_CODE 77)
endforeach()
add_test(NAME e2e.ws_interop_load COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/ws_interop.py
         $<TARGET_FILE:iobench> load ${CMAKE_CURRENT_BINARY_DIR}/tmp/ws_interop_load.json)
set_tests_properties(e2e.ws_interop_load PROPERTIES TIMEOUT 90 LABELS "e2e;net" SKIP_RETURN_CODE 77)
# Bad clients (400, 1002, 1002, 1009, 1007) against `iobench serve` while `iobench load` runs on 8 good
# connections: the load must see no error. Raw sockets only: needs python3, not websockets.
foreach(b blocking epoll posix_aio libaio io_uring io_uring_sqpoll)
  add_test(NAME e2e.ws_bad_clients.${b} COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/ws_interop.py
           $<TARGET_FILE:iobench> bad ${b})
  set_tests_properties(e2e.ws_bad_clients.${b} PROPERTIES TIMEOUT 90 LABELS "e2e;net")
endforeach()
