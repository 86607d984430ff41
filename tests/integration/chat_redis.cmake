# The chat's history in Redis (`switchboard serve --redis`), against a real redis-server with
# `appendonly yes` and `appendfsync always`: the backend alone (GoogleTest), then two chat
# nodes on one Redis with official clients, and Redis killed (-9) and restarted; the fault tests.
find_program(SB_REDIS_SERVER redis-server)
if(SB_REDIS_SERVER AND TARGET sb_chat_history)
  add_executable(redis_history_test ${CMAKE_CURRENT_SOURCE_DIR}/redis_history_test.cpp)
  target_link_libraries(redis_history_test PRIVATE sb_chat_history GTest::gtest_main)
  # redis-server started as the adapter's unit tests start it (tests/unit/adapter/redis_server.hpp)
  target_include_directories(redis_history_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit/adapter)
  add_test(NAME integration.chat_redis.history COMMAND redis_history_test)
  set_tests_properties(integration.chat_redis.history PROPERTIES TIMEOUT 120)
endif()
if(SB_NODE AND SB_REDIS_SERVER AND TARGET switchboard)
  add_test(NAME integration.chat_redis.nodes
           COMMAND ${SB_NODE} --test --test-concurrency=1
                   ${CMAKE_CURRENT_SOURCE_DIR}/chat_redis_test.mjs)
  set_tests_properties(integration.chat_redis.nodes PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 180)
endif()
# `make cluster`'s script with nginx from Debian (not part of make run; the test runs it on
# free ports).
find_program(SB_NGINX nginx PATHS /usr/sbin)
if(SB_NODE AND SB_REDIS_SERVER AND SB_NGINX AND TARGET switchboard)
  add_test(NAME integration.chat_redis.make_cluster
           COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/make_cluster_test.mjs)
  set_tests_properties(integration.chat_redis.make_cluster PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;SB_NGINX=${SB_NGINX};NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 60)
endif()
# Faults (issue 15, item 6): Redis (appendfsync always), three nodes and nginx round robin with
# clients on every transport posting throughout; kill -9 of a node, kill -9 of Redis and a
# restart on its file, a rolling restart with SIGTERM (~10 s; ~20 s under ASan).
if(SB_NODE AND SB_REDIS_SERVER AND SB_NGINX AND TARGET switchboard)
  add_test(NAME integration.chat_redis.faults
           COMMAND ${SB_NODE} --test --test-concurrency=1
                   ${CMAKE_CURRENT_SOURCE_DIR}/chat_faults_test.mjs)
  set_tests_properties(integration.chat_redis.faults PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;SB_NGINX=${SB_NGINX};NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 120)
endif()
