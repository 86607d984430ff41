# Engine.IO v4 conformance against engineio_testee, on one and two shards.
foreach(shards 1 2)
  add_test(NAME integration.engineio.conformance.shards${shards}
           COMMAND ${SB_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/engineio_conformance_test.py)
  set_tests_properties(integration.engineio.conformance.shards${shards} PROPERTIES
    ENVIRONMENT "SB_ENGINEIO_TESTEE=$<TARGET_FILE:engineio_testee>;SB_SHARDS=${shards};PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 120)
endforeach()

# Polling -> WebSocket upgrades across shards (plain and TLS) with socket.io-client.
if(SB_NODE)
  add_test(NAME integration.engineio.shard_upgrades
           COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/engineio_shard_upgrade_test.mjs)
  set_tests_properties(integration.engineio.shard_upgrades PROPERTIES
    ENVIRONMENT "SB_PROTOCOL_TESTEE=$<TARGET_FILE:protocol_testee>;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 150)
endif()
