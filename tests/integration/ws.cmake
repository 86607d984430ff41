# WebSocket integration tests: the echo and broadcast examples against real clients.
find_program(SB_SYSTEM_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
find_program(SB_NODE node REQUIRED)

foreach(shards 1 2)
  add_test(NAME integration.ws.python.shards${shards}
           COMMAND ${SB_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/ws_echo_test.py)
  set_tests_properties(integration.ws.python.shards${shards} PROPERTIES
    ENVIRONMENT "SB_ECHO=$<TARGET_FILE:echo>;SB_SHARDS=${shards};PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 180)
  add_test(NAME integration.ws.node.shards${shards}
           COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/ws_node_test.mjs)
  set_tests_properties(integration.ws.node.shards${shards} PROPERTIES
    ENVIRONMENT "SB_ECHO=$<TARGET_FILE:echo>;SB_BROADCAST=$<TARGET_FILE:broadcast>;SB_SHARDS=${shards};NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 120)
endforeach()

add_test(NAME integration.tls COMMAND ${SB_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/tls_test.py)
set_tests_properties(integration.tls PROPERTIES
  ENVIRONMENT "SB_ECHO=$<TARGET_FILE:echo>;SB_BROADCAST=$<TARGET_FILE:broadcast>;PYTHONDONTWRITEBYTECODE=1"
  TIMEOUT 60)
