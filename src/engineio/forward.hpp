#pragma once
// Private: relaying a request for another node's session to its owner (ServerOptions::nodes).

#include <chrono>
#include <memory>
#include <string>

#include "switchboard/engineio/server.hpp"
#include "switchboard/http/exchange.hpp"

namespace switchboard::engineio::detail {

/// Marks a relayed request: its receiver serves it or answers "Session ID unknown", and never
/// relays it again (no loops between nodes whose directories disagree).
inline constexpr std::string_view kForwardedHeader = "X-Switchboard-Forwarded";

struct ForwardOptions {
  std::chrono::milliseconds connect_timeout;
  std::chrono::milliseconds idle_timeout;
  /// The answer when the owner cannot be found or reached (CORS headers included).
  http::Response unknown;
};

/// The request as the owner receives it: the same line and fields (hop-by-hop ones dropped),
/// `Connection: close` unless it is a WebSocket upgrade, the body (already bounded by
/// maxPayload) with its length, the client's address added to X-Forwarded-For, and the mark
/// of a relayed request naming the relaying node.
std::string relayed_request(const http::Request& request, bool upgrade, std::string_view node);
/// Splits "host:port" or "[v6]:port"; false when it is neither.
bool split_address(const std::string& address, std::string& host, std::string& port);

/// Takes over `exchange`'s connection, finds node `node` and relays the request to it with
/// `Connection: close`, then copies bytes both ways until either side closes: the polling
/// answer, or a WebSocket's whole life. On the exchange's shard.
void forward(http::Exchange& exchange, const std::shared_ptr<NodeDirectory>& nodes,
             std::string node, ForwardOptions options);

}  // namespace switchboard::engineio::detail
