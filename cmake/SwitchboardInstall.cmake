# `cmake --install`: the public headers, every layer's library, the CMake package
# (find_package(switchboard CONFIG) -> switchboard::<layer>) and a pkg-config file
# (switchboard.pc). docs/library.md shows both from the consumer's side.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(sb_targets GLOBAL PROPERTY SB_LAYER_TARGETS)
set(SB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/switchboard)

install(TARGETS ${sb_targets} EXPORT switchboardTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(layer IN LISTS SB_LAYERS)
  if(TARGET sb_${layer})
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/switchboard/${layer}
            DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/switchboard)
  endif()
endforeach()
install(EXPORT switchboardTargets NAMESPACE switchboard:: DESTINATION ${SB_CMAKE_DIR})

# What the config file must find again: the layers' dependencies that are not layers.
if(TARGET sb_adapter)
  set(SB_HAS_ADAPTER 1)
else()
  set(SB_HAS_ADAPTER 0)
endif()
if(TARGET sb_store)
  set(SB_HAS_STORE 1)
else()
  set(SB_HAS_STORE 0)
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/switchboardConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/switchboardConfig.cmake
                              INSTALL_DESTINATION ${SB_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/switchboardConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/switchboardConfig.cmake
              ${PROJECT_BINARY_DIR}/switchboardConfigVersion.cmake
        DESTINATION ${SB_CMAKE_DIR})

# pkg-config: one package, every layer, dependencies last (static libraries: the consumer links
# what the layers use). Boost has no .pc file, so its libraries are named directly.
set(SB_PC_LIBS "")
foreach(layer client adapter socketio_admin socketio socketio_codec engineio engineio_codec poll sse ws ws_codec http
               net metrics log store)
  if(TARGET sb_${layer})
    string(APPEND SB_PC_LIBS " -lswitchboard_${layer}")
  endif()
endforeach()
get_target_property(sb_boost_json_location Boost::json LOCATION)
get_filename_component(sb_boost_libdir ${sb_boost_json_location} DIRECTORY)
if(NOT sb_boost_libdir IN_LIST CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES)
  string(APPEND SB_PC_LIBS " -L${sb_boost_libdir}")
endif()
string(APPEND SB_PC_LIBS " -lboost_json -lboost_system -pthread")
if(TARGET sb_socketio_admin)
  string(APPEND SB_PC_LIBS " -lcrypt")  # bcrypt, for the Admin UI's logins
endif()
set(SB_PC_REQUIRES "openssl zlib")
if(SB_HAS_STORE)
  string(APPEND SB_PC_REQUIRES " sqlite3 libutf8proc")
endif()
if(SB_HAS_ADAPTER)
  string(APPEND SB_PC_REQUIRES " hiredis")
endif()
list(TRANSFORM SB_PUBLIC_DEFINITIONS PREPEND "-D" OUTPUT_VARIABLE sb_defines)
string(JOIN " " SB_PC_CFLAGS ${sb_defines})
get_target_property(sb_boost_include Boost::headers INTERFACE_INCLUDE_DIRECTORIES)
if(sb_boost_include AND NOT sb_boost_include IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
  string(APPEND SB_PC_CFLAGS " -I${sb_boost_include}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/switchboard.pc.in ${PROJECT_BINARY_DIR}/switchboard.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/switchboard.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
