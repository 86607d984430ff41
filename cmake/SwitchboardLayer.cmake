# sb_layer(NAME [LAYER L] SOURCES ... DEPS ... PRIVATE_DEPS ...): the static library of one
# layer, sb_NAME, also known as switchboard::NAME (the name it is exported under). With LAYER, a
# library that is part of layer L (its sans-I/O codecs, e.g. socketio_codec, which the client
# links without the server): same headers, public and private, as L.
#
# What its sources can include is what the layering allows (docs/architecture.md):
#   - its own public headers, include/switchboard/NAME, and those of the layers in DEPS (each
#     layer exposes only its own directory, through a per-layer include root in the build tree:
#     <build>/sb_include/NAME/switchboard/NAME -> include/switchboard/NAME);
#   - its own private headers, src/NAME, spelt "NAME/header.hpp", through
#     <build>/sb_private/NAME/NAME -> src/NAME. Another layer's private headers are not on any
#     include path, and a layer above it is not either: such an include fails to compile
#     (tests/layering: the build proves it).
# Installed, every layer's headers are under <prefix>/include.
set(SB_INCLUDE_STAGE ${PROJECT_BINARY_DIR}/sb_include)
set(SB_PRIVATE_STAGE ${PROJECT_BINARY_DIR}/sb_private)

# A symbolic link `link` -> `target` (replaced when it points elsewhere).
function(sb_stage_link target link)
  get_filename_component(parent ${link} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  if(IS_SYMLINK ${link})
    file(READ_SYMLINK ${link} current)
    if(current STREQUAL target)
      return()
    endif()
    file(REMOVE ${link})
  endif()
  file(CREATE_LINK ${target} ${link} SYMBOLIC)
endfunction()

# The private include root of a layer (for its unit tests and fuzzers too).
function(sb_layer_private_include_dir name out)
  set(${out} ${SB_PRIVATE_STAGE}/${name} PARENT_SCOPE)
endfunction()

function(sb_layer name)
  cmake_parse_arguments(L "" "LAYER" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  if(NOT L_LAYER)
    set(L_LAYER ${name})
  endif()
  add_library(sb_${name} STATIC ${L_SOURCES})
  add_library(switchboard::${name} ALIAS sb_${name})
  set_target_properties(sb_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME switchboard_${name})

  sb_stage_link(${PROJECT_SOURCE_DIR}/include/switchboard/${L_LAYER}
                ${SB_INCLUDE_STAGE}/${L_LAYER}/switchboard/${L_LAYER})
  sb_stage_link(${PROJECT_SOURCE_DIR}/src/${L_LAYER} ${SB_PRIVATE_STAGE}/${L_LAYER}/${L_LAYER})
  target_include_directories(sb_${name}
    PUBLIC $<BUILD_INTERFACE:${SB_INCLUDE_STAGE}/${L_LAYER}> $<INSTALL_INTERFACE:include>
    PRIVATE ${SB_PRIVATE_STAGE}/${L_LAYER})

  target_compile_features(sb_${name} PUBLIC cxx_std_20)
  target_compile_definitions(sb_${name} PUBLIC ${SB_PUBLIC_DEFINITIONS})
  target_link_libraries(sb_${name} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  set_property(GLOBAL APPEND PROPERTY SB_LAYER_TARGETS sb_${name})
endfunction()
