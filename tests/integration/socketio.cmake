# Socket.IO v5: raw-protocol conformance against protocol_testee, the official clients
# (socket.io-client for node, python-socketio Client and AsyncClient) on websocket, polling and
# polling-upgraded-to-websocket, load and restart, and the example twins; one and two shards.
foreach(shards 1 2)
  set(env "SB_SHARDS=${shards};PYTHONDONTWRITEBYTECODE=1"
          "SB_PROTOCOL_TESTEE=$<TARGET_FILE:protocol_testee>")
  add_test(NAME integration.socketio.conformance.shards${shards}
           COMMAND ${SB_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/socketio_conformance_test.py)
  add_test(NAME integration.socketio.python_clients.shards${shards}
           COMMAND ${SB_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/socketio_python_test.py)
  set_tests_properties(integration.socketio.conformance.shards${shards}
                       integration.socketio.python_clients.shards${shards}
                       PROPERTIES ENVIRONMENT "${env}" TIMEOUT 120)
  if(SB_NODE)
    set(node_env "${env};NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
                 "SB_FASTAPI_SOCKETIO=$<TARGET_FILE:fastapi_socketio>"
                 "SB_FLASK_SOCKETIO=$<TARGET_FILE:flask_socketio>"
                 "SB_PYTHON_SOCKETIO=$<TARGET_FILE:python_socketio>")
    foreach(name node node_load examples recovery handler_errors)
      add_test(NAME integration.socketio.${name}.shards${shards}
               COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/socketio_${name}_test.mjs)
      set_tests_properties(integration.socketio.${name}.shards${shards} PROPERTIES
                           ENVIRONMENT "${node_env}" TIMEOUT 120)
    endforeach()
  endif()
endforeach()
