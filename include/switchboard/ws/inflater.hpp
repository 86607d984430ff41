// Raw inflate for permessage-deflate messages (RFC 7692 §7.2.2), with an output limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

struct z_stream_s;

namespace switchboard::ws {

/// Outcome of feeding compressed bytes to an `Inflater`.
enum class InflateStatus {
  Ok,             ///< All input consumed; output appended.
  LimitExceeded,  ///< Output would pass the limit; stopped early (the stream is then unusable).
  BadData,        ///< The input is not a valid deflate stream.
  Failure,        ///< zlib failed for another reason (out of memory).
};

/// Inflates the messages of one direction of one connection. Each message is fed in any number
/// of chunks with `inflate`, then closed with `finish_message`, which appends the
/// 00 00 ff ff tail that the sender stripped (RFC 7692 §7.2.2). With context takeover the
/// sliding window carries over to the next message; with no_context_takeover the stream is
/// reset per message. Never throws on bad input; not thread-safe; movable, not copyable.
///
///     Inflater inflater(15, false);
///     std::string message;
///     if (inflater.inflate(chunk, message, limit) != InflateStatus::Ok) fail();
///     if (inflater.finish_message(message, limit) != InflateStatus::Ok) fail();
class Inflater {
 public:
  /// `window_bits` (8-15, clamped) is the sender's negotiated maximum LZ77 window. zlib
  /// checks a distance against the history it holds, which includes the output of the
  /// current call, so with fewer than 15 bits a sender that exceeds the window may be
  /// accepted or refused (BadData) depending on how its data is chunked; 15 is exact.
  /// Throws std::bad_alloc when zlib cannot allocate its state.
  explicit Inflater(int window_bits = 15, bool no_context_takeover = false);
  /// Frees zlib's state.
  ~Inflater();
  /// Takes over `other`'s stream; `other` may then only be destroyed or assigned to.
  Inflater(Inflater&&) noexcept;
  /// Frees this stream and takes over `other`'s.
  Inflater& operator=(Inflater&&) noexcept;

  /// Inflates `in`, appending to `out`, and fails with LimitExceeded as soon as `out.size()`
  /// would exceed `max_size` (at most max_size + 1 bytes are ever produced, so a deflate bomb
  /// costs no more than the limit).
  InflateStatus inflate(std::span<const uint8_t> in, std::string& out, size_t max_size);

  /// Ends the current message: inflates the 00 00 ff ff tail, then resets the stream when
  /// context takeover is off.
  InflateStatus finish_message(std::string& out, size_t max_size);

  /// Drops the sliding window, e.g. after an error.
  void reset();

 private:
  struct Deleter {
    void operator()(z_stream_s* stream) const;
  };
  InflateStatus inflate_slice(std::span<const uint8_t> in, std::string& out, size_t max_size);
  InflateStatus restart_after_stream_end();

  std::unique_ptr<z_stream_s, Deleter> stream_;
  int window_bits_;
  bool no_context_takeover_;
};

}  // namespace switchboard::ws
