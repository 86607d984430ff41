# The chat service: one room over every transport, hardening (origins, names, resumption,
# rooms, rate limits, storage failures), durability under SIGKILL.
if(TARGET switchboard)
  add_test(NAME integration.chat.transports
           COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/chat_transports_test.mjs)
  set_tests_properties(integration.chat.transports PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;SB_SHARDS=2;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 120)
  add_test(NAME integration.chat.hardening
           COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/chat_hardening_test.mjs)
  set_tests_properties(integration.chat.hardening PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;SB_SHARDS=2;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 180)
  add_test(NAME integration.chat.identity
           COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/chat_identity_test.mjs)
  set_tests_properties(integration.chat.identity PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;SB_SHARDS=2;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 120)
  add_test(NAME integration.chat.durability
           COMMAND ${SB_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/chat_durability_test.py)
  set_tests_properties(integration.chat.durability PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 300)
  # The log: JSON records of the access log and of every close reason, levels, --access-log.
  add_test(NAME integration.chat.logging
           COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/chat_logging_test.mjs)
  set_tests_properties(integration.chat.logging PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 60)
  # /metrics scraped and parsed with prometheus_client while every transport is in use.
  add_test(NAME integration.chat.metrics
           COMMAND ${SB_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/metrics_test.py)
  set_tests_properties(integration.chat.metrics PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 60)
endif()

# HTTP limits, routing, static files and CORS of the real server, with curl.
if(TARGET switchboard)
  add_test(NAME integration.http.curl
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/http_curl_test.sh $<TARGET_FILE:switchboard>)
  set_tests_properties(integration.http.curl PROPERTIES TIMEOUT 60)
endif()

# Two `switchboard serve --redis` nodes on one redis-server: every transport of each node
# reaches every transport of the other (one fan-out, carried by the Redis adapter).
find_program(SB_REDIS_SERVER redis-server)
if(TARGET switchboard AND SB_REDIS_SERVER)
  add_test(NAME integration.chat.cluster
           COMMAND ${SB_NODE} --test --test-concurrency=1
                   ${CMAKE_CURRENT_SOURCE_DIR}/chat_cluster_test.mjs)
  set_tests_properties(integration.chat.cluster PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 120)
endif()
