// Raw deflate for permessage-deflate messages (RFC 7692 §7.2.1).
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct z_stream_s;

namespace switchboard::ws {

/// Compresses the messages of one direction of one connection: each message is one deflate
/// flush (Z_SYNC_FLUSH) with the trailing 00 00 ff ff removed (RFC 7692 §7.2.1). With context
/// takeover later messages may refer to earlier ones; with no_context_takeover each message is
/// compressed on its own. Not thread-safe; movable, not copyable.
///
///     Deflater deflater(15, false);
///     std::string payload;
///     deflater.compress(text, payload);  // frame `payload` with RSV1 set
class Deflater {
 public:
  /// `window_bits` (8-15, clamped) is the negotiated maximum window. zlib rejects 8 for raw
  /// deflate, so 8 becomes 9: zlib never emits distances beyond w_size - 262 (MAX_DIST), so a
  /// 512-byte window yields distances of at most 250, which a 256-byte inflater window reads.
  /// `memory_level` 1-9, `level` 0-9 or -1 (zlib default). Throws std::bad_alloc when zlib
  /// cannot allocate its state.
  explicit Deflater(int window_bits = 15, bool no_context_takeover = false, int memory_level = 8,
                    int level = -1);
  /// Frees zlib's state.
  ~Deflater();
  /// Takes over `other`'s stream; `other` may then only be destroyed or assigned to.
  Deflater(Deflater&&) noexcept;
  /// Frees this stream and takes over `other`'s.
  Deflater& operator=(Deflater&&) noexcept;

  /// Compresses one whole message (under 4 GiB) and appends it to `out`. Returns false only
  /// when zlib fails (out of memory); `out` is then unspecified.
  bool compress(std::string_view message, std::string& out);

  /// Forgets the sliding window: the next message is compressed on its own. Always safe for
  /// the peer, which keeps its window but receives no reference into it.
  void reset();

 private:
  struct Deleter {
    void operator()(z_stream_s* stream) const;
  };
  std::unique_ptr<z_stream_s, Deleter> stream_;
  bool no_context_takeover_;
};

}  // namespace switchboard::ws
