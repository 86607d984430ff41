# The layering the build enforces (cmake/SwitchboardLayer.cmake), proven: sources compiled as
# part of the http layer (its private include root, linked to sb_http) can include what http
# may (allowed.cpp), and fail to compile on a reach into another layer's private headers
# (private_reach.cpp) or an include of a layer above (upward_include.cpp). Each probe is a
# target outside `all`, built by its test.
# The expected errors match GCC ("x.hpp: No such file") and clang ("'x.hpp' file not found").
set(SB_LAYERING_PROBES allowed "" private_reach "socketio/core\\.hpp'?(: No such| file not)"
                       upward_include "switchboard/socketio/server\\.hpp'?(: No such| file not)")
sb_layer_private_include_dir(http http_private)
while(SB_LAYERING_PROBES)
  list(POP_FRONT SB_LAYERING_PROBES probe expected)
  add_library(layering_${probe} OBJECT EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/layering/${probe}.cpp)
  target_include_directories(layering_${probe} PRIVATE ${http_private})
  target_link_libraries(layering_${probe} PRIVATE sb_http)
  add_test(NAME layering.build.${probe}
           COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target layering_${probe})
  # Builds in the build tree: one at a time, never beside another build in it.
  set_tests_properties(layering.build.${probe} PROPERTIES RESOURCE_LOCK sb_build_tree)
  if(expected)
    set_tests_properties(layering.build.${probe} PROPERTIES PASS_REGULAR_EXPRESSION "${expected}")
  endif()
endwhile()
