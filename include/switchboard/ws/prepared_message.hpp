// A message framed once and written to many connections (broadcast).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "switchboard/ws/frame.hpp"
#include "switchboard/ws/message_encoder.hpp"

namespace switchboard::ws {

/// How to prepare a broadcast message.
struct PrepareOptions {
  bool compress = false;           ///< Also build a compressed framing.
  int window_bits = 15;            ///< Compression window; peers allowing less get the plain frame.
  int memory_level = 8;            ///< zlib memLevel 1-9 of the one-off deflater.
  size_t compress_threshold = 64;  ///< Shorter payloads are never compressed.
};

/// An immutable, framed Text or Binary message, shareable across shards and sockets (e.g.
/// through std::shared_ptr<const PreparedMessage>). The compressed framing, when built, comes
/// from a fresh deflate stream, so it refers to no earlier message and any peer that
/// negotiated permessage-deflate with a window at least `window_bits` can inflate it whatever
/// its context-takeover setting. Both framings are built eagerly in the constructor, so
/// reading them needs no synchronisation.
class PreparedMessage {
 public:
  /// Frames `payload` (and compresses it when asked). Throws only std::bad_alloc.
  PreparedMessage(Opcode opcode, std::string_view payload, const PrepareOptions& options = {});

  /// The frame to write on the connection that `encoder` frames for: compressed when that
  /// connection negotiated permessage-deflate with a large enough window, plain otherwise.
  /// Choosing the compressed frame makes `encoder` forget its deflate window, since the peer
  /// inflates our frame into its window and our deflater would not know (RFC 7692 §7.2.3).
  std::string_view frame_for(MessageEncoder& encoder) const;

  /// The uncompressed frame.
  std::string_view plain_frame() const { return plain_; }

  /// The compressed frame, or empty when not built.
  std::string_view compressed_frame() const { return compressed_; }

 private:
  std::string plain_;
  std::string compressed_;
  int window_bits_ = 15;
};

}  // namespace switchboard::ws
