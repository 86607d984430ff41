#pragma once
// One origin policy for every transport of the chat (REST, SSE, long polling, the raw
// WebSocket; Socket.IO applies the same rule in engineio::ServerCore::origin_allowed).

#include <string>
#include <vector>

#include "switchboard/http/request.hpp"

namespace switchboard::app {

/// True when the request may be served: it has no Origin (not a browser page), or it comes
/// from the page's own origin (Origin's host[:port] equals Host), or its Origin is one of
/// `allowed` (`--allow-origin`; "*" allows any). Everything else is answered 403.
bool origin_allowed(const http::Request& request, const std::vector<std::string>& allowed);

/// True when the request body is declared `application/json` (parameters such as
/// `; charset=utf-8` allowed). A page on another site can send `text/plain` without a CORS
/// preflight, never `application/json`: requiring it closes cross-site posting.
bool is_json_body(const http::Request& request);

}  // namespace switchboard::app
