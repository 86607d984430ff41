# integration.package: install into a temporary prefix and build, run and talk to the
# consumer projects of tests/package (package_test.sh). It needs a plain build (the consumers
# are built without sanitizers) and the install rules.
if(SB_INSTALL AND SB_NODE AND NOT SB_SANITIZE AND NOT SB_TSAN AND TARGET sb_socketio)
  add_test(NAME integration.package
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/package_test.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR}
                   ${SB_NODE})
  set_tests_properties(integration.package PROPERTIES TIMEOUT 300)
endif()
