// Must not compile: http including the public headers of a layer above it (tests/layering.cmake).
#include "switchboard/socketio/server.hpp"
