# End to end in a real browser: Debian's chromium driven by playwright-core, against the chat
# service serving the built web UI (make web).
if(TARGET switchboard AND EXISTS ${PROJECT_SOURCE_DIR}/tests/e2e/chat.test.mjs)
  add_test(NAME e2e.chat COMMAND ${SB_NODE} --test ${PROJECT_SOURCE_DIR}/tests/e2e/chat.test.mjs)
  set_tests_properties(e2e.chat PROPERTIES
    ENVIRONMENT "SB_SWITCHBOARD=$<TARGET_FILE:switchboard>;NODE_PATH=${PROJECT_SOURCE_DIR}/web/node_modules"
    TIMEOUT 480 RESOURCE_LOCK browser)
endif()
