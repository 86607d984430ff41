// Must compile: http's own private header and the public headers of http and net, the layer
// below it. The control for private_reach.cpp and upward_include.cpp (tests/layering.cmake).
#include "http/request_parser.hpp"
#include "switchboard/http/request.hpp"
#include "switchboard/net/send_result.hpp"
