// The server side of the opening handshake (RFC 6455 §4.2), independent of any HTTP library.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/ws/permessage_deflate.hpp"

namespace switchboard::ws {

/// The request fields the handshake looks at. Views into the caller's request; a header sent
/// several times is passed joined with ", " (RFC 7230 §3.2.2); an absent header is empty.
struct UpgradeRequest {
  std::string_view method;      ///< e.g. "GET"
  int version_major = 1;        ///< HTTP version, e.g. 1 and 1 for HTTP/1.1
  int version_minor = 1;        ///< (the minor HTTP version)
  std::string_view upgrade;     ///< Upgrade
  std::string_view connection;  ///< Connection
  std::string_view key;         ///< Sec-WebSocket-Key
  std::string_view version;     ///< Sec-WebSocket-Version
  std::string_view protocol;    ///< Sec-WebSocket-Protocol
  std::string_view extensions;  ///< Sec-WebSocket-Extensions
  std::string_view origin;      ///< Origin (not checked here; for the application)
};

/// What the server supports.
struct HandshakeOptions {
  std::vector<std::string> subprotocols;        ///< Supported, in no particular order.
  PermessageDeflateOptions permessage_deflate;  ///< Compression offered to clients that ask.
};

/// The handshake verdict: accepted (status 101) with the negotiated details, or the HTTP
/// status to answer with (400, or 426 which must carry `Sec-WebSocket-Version: 13`).
struct HandshakeResult {
  int status = 101;         ///< 101 when accepted, else 400 or 426.
  std::string_view reason;  ///< Why it was refused (for logs and the response body).
  std::string accept;       ///< Sec-WebSocket-Accept value.
  std::string protocol;     ///< Chosen subprotocol, empty for none.
  std::optional<DeflateAgreement> deflate;  ///< Negotiated permessage-deflate, if any.

  bool ok() const { return status == 101; }  ///< True when accepted.
};

/// Sec-WebSocket-Accept for `key`: base64(SHA-1(key + the RFC 6455 GUID)) (§4.2.2).
std::string accept_key(std::string_view key);

/// True when `key` (surrounding spaces ignored) is base64 of exactly 16 bytes (§4.1).
bool is_valid_key(std::string_view key);

/// The first subprotocol in the client's comma-separated `offered` list that `supported`
/// contains (exact, case-sensitive match, RFC 6455 §4.2.2), or nullopt.
std::optional<std::string> select_subprotocol(std::string_view offered,
                                              std::span<const std::string> supported);

/// Validates an upgrade request (RFC 6455 §4.2.1) and negotiates subprotocol and
/// permessage-deflate. 400: method not GET, HTTP older than 1.1, no "websocket" in Upgrade,
/// no "Upgrade" in Connection (tokens case-insensitive), bad key (two keys, joined, are one
/// bad key), more than one version. 426: version not 13.
/// Never throws on bad input (only std::bad_alloc).
HandshakeResult accept_upgrade(const UpgradeRequest& request, const HandshakeOptions& options);

/// The complete "101 Switching Protocols" response head for an accepted `result`, ending
/// with the blank line.
std::string handshake_response(const HandshakeResult& result);

/// A complete response head refusing the upgrade with `result.status` (and
/// Sec-WebSocket-Version: 13 for 426); `Connection: close`, reason as a plain-text body.
std::string rejection_response(const HandshakeResult& result);

}  // namespace switchboard::ws
