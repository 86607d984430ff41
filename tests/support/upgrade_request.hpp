#pragma once
// A client's WebSocket upgrade request, as the tests that accept a stream directly need it.

#include <string>
#include <string_view>

#include "switchboard/http/request.hpp"

namespace switchboard::test {

/// GET `target` asking for a WebSocket (RFC 6455's sample key), with `extensions` as
/// Sec-WebSocket-Extensions when not empty.
inline http::Request websocket_upgrade_request(const std::string& target,
                                               std::string_view extensions = {}) {
  http::Request r;
  r.method = "GET";
  r.target = target;
  r.path = target.substr(0, target.find('?'));
  r.headers.add("Host", "localhost");
  r.headers.add("Connection", "Upgrade");
  r.headers.add("Upgrade", "websocket");
  r.headers.add("Sec-WebSocket-Version", "13");
  r.headers.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  if (!extensions.empty()) r.headers.add("Sec-WebSocket-Extensions", std::string(extensions));
  return r;
}

}  // namespace switchboard::test
