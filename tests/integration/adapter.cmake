# The cluster adapter against the real Node packages: a Node.js socket.io 4.8 server with
# @socket.io/redis-adapter (classic and sharded), @socket.io/redis-emitter and socket.io-client
# on one redis-server, with adapter_probe (RedisClient + ClusterCore) as the C++ node.
add_executable(adapter_probe ${CMAKE_CURRENT_SOURCE_DIR}/adapter_probe.cpp)
target_link_libraries(adapter_probe PRIVATE sb_adapter)
find_program(SB_REDIS_SERVER redis-server)
if(SB_NODE AND SB_REDIS_SERVER)
  foreach(format classic sharded)
    add_test(NAME integration.adapter.node.${format}
             COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/adapter_node_test.mjs)
    set_tests_properties(integration.adapter.node.${format} PROPERTIES
                         ENVIRONMENT "SB_ADAPTER_PROBE=$<TARGET_FILE:adapter_probe>;SB_ADAPTER_FORMAT=${format}"
                         TIMEOUT 120)
  endforeach()
endif()

# A cluster of two cluster_node processes (2 shards each) and one Node.js node
# (cluster_node_reference.mjs) on one redis-server, with official clients on each.
if(SB_NODE AND SB_REDIS_SERVER AND TARGET cluster_node)
  foreach(format classic sharded)
    add_test(NAME integration.adapter.cluster.${format}
             COMMAND ${SB_NODE} --test --test-concurrency=1
                     ${CMAKE_CURRENT_SOURCE_DIR}/adapter_cluster_test.mjs)
    set_tests_properties(integration.adapter.cluster.${format} PROPERTIES
                         ENVIRONMENT "SB_CLUSTER_NODE=$<TARGET_FILE:cluster_node>;SB_CLUSTER_FORMAT=${format}"
                         TIMEOUT 180)
  endforeach()
endif()

# No sticky sessions: two cluster_node processes behind nginx round robin (no stickiness) on one
# redis-server; polling-only socket.io-client and python-socketio, and upgrades, through it.
find_program(SB_NGINX nginx PATHS /usr/sbin)
if(SB_NODE AND SB_REDIS_SERVER AND SB_NGINX AND TARGET cluster_node)
  add_test(NAME integration.cluster.no_sticky
           COMMAND ${SB_NODE} --test --test-concurrency=1
                   ${CMAKE_CURRENT_SOURCE_DIR}/cluster_no_sticky_test.mjs)
  set_tests_properties(integration.cluster.no_sticky PROPERTIES
    ENVIRONMENT "SB_CLUSTER_NODE=$<TARGET_FILE:cluster_node>;SB_NGINX=${SB_NGINX};SB_PYTHON=${SB_SYSTEM_PYTHON};NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 180)
endif()

# The one fan-out across processes: raw WebSocket, SSE, long-poll and Socket.IO members of a
# room on two cluster_fanout nodes (examples/cluster_fanout) on one redis-server.
if(SB_NODE AND SB_REDIS_SERVER AND TARGET cluster_fanout)
  add_test(NAME integration.adapter.fanout
           COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/adapter_fanout_test.mjs)
  set_tests_properties(integration.adapter.fanout PROPERTIES
                       ENVIRONMENT "SB_CLUSTER_FANOUT=$<TARGET_FILE:cluster_fanout>;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
                       TIMEOUT 120)
endif()

# Connection state recovery kept in Redis: two cluster_node --recovery processes behind a TCP
# proxy playing the balancer, socket.io-client over WebSocket and over polling (classic), and
# over WebSocket in the sharded format.
if(SB_NODE AND SB_REDIS_SERVER AND TARGET cluster_node)
  foreach(variant websocket.classic polling.classic websocket.sharded)
    string(REPLACE "." ";" parts ${variant})
    list(GET parts 0 transport)
    list(GET parts 1 format)
    add_test(NAME integration.adapter.recovery.${variant}
             COMMAND ${SB_NODE} --test --test-concurrency=1
                     ${CMAKE_CURRENT_SOURCE_DIR}/adapter_recovery_test.mjs)
    set_tests_properties(integration.adapter.recovery.${variant} PROPERTIES
                         ENVIRONMENT "SB_CLUSTER_NODE=$<TARGET_FILE:cluster_node>;SB_RECOVERY_TRANSPORT=${transport};SB_CLUSTER_FORMAT=${format}"
                         TIMEOUT 180)
  endforeach()
endif()
