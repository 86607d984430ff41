// Server-side framing of outgoing messages (RFC 6455 §5.2, §5.5; RFC 7692 §7.2.1).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "switchboard/ws/error.hpp"
#include "switchboard/ws/frame.hpp"
#include "switchboard/ws/permessage_deflate.hpp"

namespace switchboard::ws {

/// Appends one unfragmented, unmasked server frame (FIN set, RSV1 = `compressed`) to `out`.
void append_server_frame(std::string& out, Opcode opcode, std::string_view payload,
                         bool compressed = false);

/// A Ping frame. Throws std::length_error when `payload` exceeds 125 bytes (a caller bug).
std::string encode_ping(std::string_view payload = {});

/// A Pong frame. Throws std::length_error when `payload` exceeds 125 bytes (a caller bug).
std::string encode_pong(std::string_view payload = {});

/// A Close frame carrying `close_payload(code, reason)`; the reason is cut to fit.
std::string encode_close(CloseCode code, std::string_view reason = {});

/// Frames the data messages of one server connection, compressing those of at least
/// `compress_threshold` bytes when permessage-deflate was negotiated. Owns the connection's
/// Deflater. Not thread-safe; use on the connection's shard.
///
///     MessageEncoder encoder(agreement.params, options.permessage_deflate);
///     encoder.encode(Opcode::Text, R"({"message":"hi"})", write_buffer);
class MessageEncoder {
 public:
  /// An encoder that never compresses.
  MessageEncoder() = default;

  /// An encoder for a connection that negotiated `params`. Throws std::bad_alloc.
  MessageEncoder(const DeflateParams& params, const PermessageDeflateOptions& options);

  /// Appends `payload` as one unfragmented frame to `out`; Text and Binary payloads of at
  /// least the threshold are compressed (control frames never are, RFC 7692 §6.1).
  void encode(Opcode opcode, std::string_view payload, std::string& out);

  /// The negotiated parameters, or null when the connection does not compress.
  const DeflateParams* params() const { return deflate_ ? &deflate_->params : nullptr; }

  /// Forgets the deflate window. Must be called after a frame compressed elsewhere (a
  /// `PreparedMessage`) was written on this connection, since the peer's window now holds
  /// bytes ours does not (RFC 7692 §7.2.3); `PreparedMessage::frame_for` does it.
  void forget_context();

 private:
  /// What compressing takes, allocated only when permessage-deflate was negotiated (most
  /// connections do not compress: they keep one pointer).
  struct Compression {
    DeflateParams params;
    Deflater deflater;
    size_t compress_threshold;
  };
  std::unique_ptr<Compression> deflate_;
};

}  // namespace switchboard::ws
