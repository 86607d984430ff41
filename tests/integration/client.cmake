# The C++ client (src/client) against switchboard's protocol_testee (1 and 2 shards) and the
# Node.js reference server (tests/integration/reference_server.mjs, npm socket.io).
if(TARGET sb_client AND TARGET protocol_testee)
  add_executable(client_integration ${CMAKE_CURRENT_SOURCE_DIR}/client/client_test.cpp
                                    ${CMAKE_CURRENT_SOURCE_DIR}/client/server_process.cpp)
  target_link_libraries(client_integration PRIVATE sb_client GTest::gtest_main)
  add_dependencies(client_integration protocol_testee)
  foreach(shards 1 2)
    add_test(NAME integration.client.switchboard.shards${shards} COMMAND client_integration)
    set_tests_properties(integration.client.switchboard.shards${shards} PROPERTIES
      ENVIRONMENT "SB_CLIENT_SERVER=switchboard;SB_SHARDS=${shards};SB_PROTOCOL_TESTEE=$<TARGET_FILE:protocol_testee>"
      TIMEOUT 180)
  endforeach()
  if(SB_NODE)
    add_test(NAME integration.client.node COMMAND client_integration)
    set_tests_properties(integration.client.node PROPERTIES
      ENVIRONMENT "SB_CLIENT_SERVER=node;SB_NODE=${SB_NODE};SB_REFERENCE_SERVER=${CMAKE_CURRENT_SOURCE_DIR}/reference_server.mjs;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
      TIMEOUT 180)
  endif()
endif()
