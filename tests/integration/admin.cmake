# The Socket.IO Admin UI (docs/admin-ui.md) on the chat service: its /admin protocol with
# socket.io-client, and the UI's own built files in Chromium (playwright-core from web/).
if(TARGET switchboard)
  add_test(NAME integration.admin_ui
           COMMAND ${SB_NODE} --test ${CMAKE_CURRENT_SOURCE_DIR}/admin_ui_test.mjs)
  set_tests_properties(integration.admin_ui PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;SB_SHARDS=2;NODE_PATH=${PROJECT_SOURCE_DIR}/node_modules"
    TIMEOUT 60)
  add_test(NAME e2e.admin_ui COMMAND ${SB_NODE} --test ${PROJECT_SOURCE_DIR}/tests/e2e/admin_ui.test.mjs)
  set_tests_properties(e2e.admin_ui PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>"
    TIMEOUT 120 RESOURCE_LOCK browser)
endif()
