#!/usr/bin/env bash
# integration.package: `cmake --install` into a temporary prefix (in the build tree, never a
# system one), then the two consumer projects of tests/package built against it, one through
# the CMake package (find_package(switchboard CONFIG)), one through pkg-config; each serves
# Socket.IO and package_client.mjs talks to it with the official socket.io-client.
#   package_test.sh BUILD_DIR SOURCE_DIR NODE
set -euo pipefail
build=$(realpath "$1") source=$(realpath "$2") node=$3
work=$build/package-test
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
# Only what a user gets: headers, libraries, the CMake package and the pkg-config file.
test -f "$prefix/include/switchboard/socketio/server.hpp"
test -f "$prefix/include/switchboard/adapter/redis_adapter.hpp"
test -f "$prefix/lib/cmake/switchboard/switchboardConfig.cmake"
test -f "$prefix/lib/pkgconfig/switchboard.pc"
if [[ -e "$prefix/bin" ]]; then
  echo "package: the install has executables: $(ls "$prefix/bin")" >&2
  exit 1
fi

# -O0 and ccache: each consumer compiles one file; what is tested is the build, not the code.
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$source/tests/package/cmake" -B "$work/cmake" -G Ninja -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS=-O0 "${launcher[@]}" >"$work/cmake.log"
cmake --build "$work/cmake" >>"$work/cmake.log"

mkdir -p "$work/pkgconfig"
cxx=g++
if command -v ccache >/dev/null; then cxx="ccache g++"; fi
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" make -s -C "$work/pkgconfig" \
  -f "$source/tests/package/pkgconfig/Makefile" CXX="$cxx" CXXFLAGS=-O0 >"$work/pkgconfig.log"

# add_subdirectory (what FetchContent_MakeAvailable does): configured only (building would
# compile switchboard again). No tests, examples, benchmarks or app come along, and the
# consumer's own code is compiled without switchboard's -Werror but with its definitions.
cmake -S "$source/tests/package/subdirectory" -B "$work/subdirectory" -G Ninja \
  -DCMAKE_CXX_COMPILER=g++ -DSWITCHBOARD_SOURCE_DIR="$source" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DSB_WERROR=ON >"$work/subdirectory.log"
targets=$(cmake --build "$work/subdirectory" --target help)
for absent in unit_net client_integration protocol_testee switchboard-bench switchboard: \
              layering_allowed; do
  if grep -q "^$absent" <<<"$targets"; then
    echo "package: add_subdirectory brings $absent" >&2
    exit 1
  fi
done
grep -q "^sb_socketio:" <<<"$targets"
command_of() {
  python3 -c 'import json, sys
print(next(e["command"] for e in json.load(open(sys.argv[1])) if e["file"].endswith(sys.argv[2])))' \
    "$work/subdirectory/compile_commands.json" "$1"
}
consumer=$(command_of package/server.cpp)
own=$(command_of src/socketio/server_core.cpp)  # switchboard's own code keeps its -Werror
if [[ "$consumer" == *-Werror* || "$consumer" != *-DBOOST_BEAST_USE_STD_STRING_VIEW* ||
      "$own" != *-Werror* ]]; then
  echo "package: the consumer compiles with: $consumer" >&2
  exit 1
fi

for server in "$work/cmake/sio_server" "$work/pkgconfig/sio_server"; do
  echo "package: $server"
  NODE_PATH="$source/node_modules" "$node" \
    "$source/tests/integration/package_client.mjs" "$server"
done

# The adapter (switchboard::adapter, hiredis found again): both cluster_server builds, one
# cluster on one redis-server.
if command -v redis-server >/dev/null; then
  echo "package: cluster_server (cmake) + cluster_server (pkg-config) on one Redis"
  NODE_PATH="$source/node_modules" "$node" "$source/tests/integration/package_cluster_client.mjs" \
    "$work/cmake/cluster_server" "$work/pkgconfig/cluster_server"
fi
