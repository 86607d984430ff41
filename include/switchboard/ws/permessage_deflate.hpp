// permessage-deflate negotiation (RFC 7692 §5, §7.1) and the codecs it configures.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "switchboard/ws/deflater.hpp"
#include "switchboard/ws/inflater.hpp"

namespace switchboard::ws {

/// What the server is willing to accept. Window bits are 8-15 (values outside are clamped).
struct PermessageDeflateOptions {
  bool enabled = false;                     ///< Negotiate it at all (off: offers are declined).
  bool server_no_context_takeover = false;  ///< Always compress each message on its own.
  bool client_no_context_takeover = false;  ///< Ask clients to do the same (saves our memory).
  int server_max_window_bits = 15;          ///< Our compression window, at most.
  int client_max_window_bits = 15;  ///< The client's window, when the client offers to limit it.
  size_t compress_threshold = 64;   ///< Shorter messages are sent uncompressed.
  int memory_level = 8;             ///< zlib memLevel 1-9 for our deflater.
};

/// The parameters both sides agreed on for one connection.
struct DeflateParams {
  bool server_no_context_takeover = false;  ///< The server compresses each message alone.
  bool client_no_context_takeover = false;  ///< The client compresses each message alone.
  int server_max_window_bits = 15;          ///< The server's compression window, in bits.
  int client_max_window_bits = 15;          ///< The client's compression window, in bits.
};

/// An accepted offer: the agreed parameters and the Sec-WebSocket-Extensions response value.
struct DeflateAgreement {
  DeflateParams params;  ///< What both sides use.

  std::string response;  ///< e.g. "permessage-deflate; server_no_context_takeover"
};

/// Picks the first acceptable permessage-deflate offer in a Sec-WebSocket-Extensions request
/// value (RFC 7692 §7.1). Offers of other extensions, and offers with unknown, duplicate,
/// malformed or out-of-range parameters, are declined; quoted values are accepted. A client
/// that does not offer client_max_window_bits is accepted with a 15-bit window (RFC 7692
/// §7.1.2.2 forbids asking it for less). Returns nullopt when disabled or nothing is
/// acceptable. Never throws on bad input (only std::bad_alloc).
std::optional<DeflateAgreement> negotiate_permessage_deflate(
    std::string_view request_value, const PermessageDeflateOptions& options);

/// The server's inflater for what the client sends under `params`.
inline Inflater make_server_inflater(const DeflateParams& params) {
  return Inflater(params.client_max_window_bits, params.client_no_context_takeover);
}

/// The server's deflater for what it sends under `params`.
inline Deflater make_server_deflater(const DeflateParams& params,
                                     const PermessageDeflateOptions& options) {
  return Deflater(params.server_max_window_bits, params.server_no_context_takeover,
                  options.memory_level);
}

}  // namespace switchboard::ws
