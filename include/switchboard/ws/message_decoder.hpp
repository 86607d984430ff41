// Incremental, sans-I/O WebSocket frame and message decoder (RFC 6455 §5-7, RFC 7692).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "switchboard/ws/error.hpp"
#include "switchboard/ws/frame.hpp"
#include "switchboard/ws/permessage_deflate.hpp"
#include "switchboard/ws/utf8_validator.hpp"

namespace switchboard::ws {

/// Which end of the connection decodes: a server requires masked frames, a client requires
/// unmasked ones (RFC 6455 §5.1).
enum class Role : uint8_t { Server, Client };

/// Decoder limits and negotiated state; safe defaults for a server.
struct DecoderOptions {
  /// Largest message, in bytes, summed over fragments and measured after inflation (1009).
  size_t max_message_size = 16 * 1024 * 1024;
  /// Which end decodes (which masking rule applies).
  Role role = Role::Server;
  /// The negotiated permessage-deflate parameters, or nullopt when not negotiated.
  std::optional<DeflateParams> permessage_deflate;
};

/// What `MessageDecoder::feed` produced.
enum class EventKind : uint8_t {
  None,     ///< Nothing complete yet: feed more bytes.
  Message,  ///< A whole data message (opcode, payload, compressed).
  Ping,     ///< A Ping; answer it with a Pong carrying `payload`.
  Pong,     ///< A Pong.
  Close,    ///< The peer's Close (close_code, payload as the reason); the decoder is done.
  Error,    ///< The input broke the protocol (error, close_code); the decoder is done.
};

/// One decoder result. Reuse one object across calls; `payload` is moved in, so take it by
/// move as well.
struct Event {
  EventKind kind = EventKind::None;  ///< What happened; None until an event is complete.

  Opcode opcode = Opcode::Binary;  ///< Message: Text (valid UTF-8) or Binary.
  bool compressed = false;         ///< Message: arrived compressed (RSV1, RFC 7692 §6).
  /// Message from `feed_in_place`: the payload is `view`, unmasked inside the caller's
  /// buffer, and `payload` is left as it was (not cleared).
  bool in_place = false;
  std::string payload;  ///< Message data, Ping/Pong payload, or Close reason.
  /// Message with `in_place`: the payload, pointing into the buffer given to
  /// `feed_in_place` (valid while that buffer is and is not reused).
  std::string_view view;
  /// Close: the peer's code (NoStatus when it sent none). Error: the code to send back.
  CloseCode close_code = CloseCode::NoStatus;
  std::error_code error;  ///< Error: why the connection must be failed (an `Error`).

  /// Message: the payload, wherever it is (`view` when `in_place`, else `payload`).
  std::string_view data() const { return in_place ? view : std::string_view(payload); }
};

/// Decodes the frames a peer sends into messages and control events, from byte chunks of
/// any size (including one byte at a time). Unmasks eight bytes at a time, validates text
/// incrementally (failing on the first bad byte, even mid-message), inflates compressed
/// messages with the output capped at the message limit, and checks every RFC 6455 rule.
/// After a Close or Error event the decoder is done and discards further input. Untrusted
/// input never throws. Not thread-safe; one per connection.
///
///     MessageDecoder decoder({.max_message_size = 1 << 20, .permessage_deflate = params});
///     Event event;
///     while (!bytes.empty()) {
///       bytes = bytes.subspan(decoder.feed(bytes, event));
///       if (event.kind == EventKind::Message) on_message(std::move(event.payload));
///       else if (event.kind == EventKind::Error) fail_connection(event.close_code);
///     }
class MessageDecoder {
 public:
  /// Copies `options`. Throws only std::bad_alloc.
  explicit MessageDecoder(const DecoderOptions& options = {});

  /// Consumes bytes from `in` until one event is complete or `in` is exhausted, and returns
  /// how many bytes it consumed. `event.kind` is None when more input is needed; otherwise
  /// call again with the rest of `in`.
  size_t feed(std::span<const uint8_t> in, Event& event);

  /// Same as `feed`, but the bytes of `in` may be changed: a data message that is one whole
  /// frame (FIN, uncompressed, not inside a fragmented message) found complete in `in` is
  /// unmasked in place and handed out as `event.view` with `event.in_place` set, instead of
  /// being copied into `event.payload`. Every other event, and every check, is as `feed`'s.
  size_t feed_in_place(std::span<uint8_t> in, Event& event);

  /// True after a Close or Error event.
  bool done() const { return state_ == State::Done; }

  /// True while a message is being received: from the header of its first frame to the end
  /// of its last (across fragments and interleaved control frames).
  bool in_message() const { return in_message_; }

  /// Bytes of memory held for the message being received (its buffer's capacity); 0 between
  /// messages.
  size_t held_bytes() const { return in_message_ ? message_.capacity() : 0; }

  /// Stops decoding, as after an Error event: frees the message being received and discards
  /// further input (the connection is being failed for a reason of its own).
  void abandon();

 private:
  enum class State : uint8_t { Header, Payload, Done };

  size_t feed(std::span<const uint8_t> in, Event& event, uint8_t* writable);
  size_t read_small_message(std::span<const uint8_t> in, Event& event, uint8_t* writable);
  size_t read_header(std::span<const uint8_t> in, Event& event);
  size_t read_whole_header(std::span<const uint8_t> in, Event& event, uint8_t* writable);
  void deliver_whole(std::span<const uint8_t> payload, Event& event, uint8_t* writable);
  std::optional<Error> check_header() const;
  void begin_frame(Event& event);
  size_t read_payload(std::span<const uint8_t> in, Event& event);
  void append_data(std::span<const uint8_t> chunk, Event& event);
  void inflate_data(std::span<const uint8_t> chunk, Event& event);
  bool check_text(size_t from, Event& event);
  void end_frame(Event& event);
  void end_message(Event& event);
  void emit_control(Event& event);
  void fail(Event& event, Error error);
  Inflater& inflater();
  bool context_takeover() const;

  // Laid out small: one decoder per connection, most of them idle.
  DecoderOptions options_;
  State state_ = State::Header;
  std::array<uint8_t, max_frame_header_size> header_bytes_{};
  uint8_t header_size_ = 0;
  FrameHeader frame_;
  uint64_t frame_offset_ = 0;  // payload bytes of the current frame already consumed

  bool in_message_ = false;
  Opcode message_opcode_ = Opcode::Binary;
  bool message_compressed_ = false;
  Utf8Validator utf8_;
  uint64_t compressed_size_ = 0;
  std::string message_;
  /// The control frame being received: allocated at its header, given away (Ping, Pong) or
  /// freed (Close) at its end; null between control frames.
  std::unique_ptr<std::string> control_;
  /// Made at the first compressed message (with no context takeover, again for each).
  std::unique_ptr<Inflater> inflater_;
};

}  // namespace switchboard::ws
