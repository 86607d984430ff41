// Must not compile: http reaching into socketio's private headers (tests/layering.cmake).
#include "socketio/core.hpp"
