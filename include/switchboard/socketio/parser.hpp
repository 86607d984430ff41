#pragma once

// The Socket.IO v5 packet codec, sans-I/O:
// `<type>[<attachments>-][<nsp>,][<ack id>][<JSON>]`, each packet the data of one Engine.IO
// message, followed by one binary Engine.IO message per attachment.
//
//   socketio::Decoder decoder;
//   auto step = decoder.feed_text(R"(2["hello",1])");
//   if (!step) close_connection(step.error());   // parse error: the peer broke the protocol
//   else if (*step) dispatch(std::move(**step));  // a complete packet
//   // else: a binary packet waits for its attachments (feed_binary)

#include <switchboard/socketio/error.hpp>
#include <switchboard/socketio/packet.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::socketio {

/// Appends the text of `packet` (the data of one Engine.IO message) to `out`. The caller then
/// sends each of `packet.attachments`, in order, as a binary Engine.IO message. `Event`/`Ack`
/// with attachments are written as `BinaryEvent`/`BinaryAck` (`451-[...]`); the namespace is
/// written (with a ',') only when it is not "/". Precondition: placeholders in `data` refer to
/// `attachments`, and only EVENT/ACK packets have attachments.
void encode(std::string& out, const Packet& packet);

/// Fast path for broadcasts: appends `2[<nsp>,][<id>]["<event>",<args_json>]` where
/// `args_json` is the already serialised, comma-separated arguments without brackets
/// (`1,{"a":2}`; empty for none). `event` is escaped here; `args_json` is trusted to be valid
/// JSON without binary placeholders. No JSON value is built.
void encode_event(std::string& out, std::string_view nsp, std::string_view event,
                  std::string_view args_json, std::optional<std::uint64_t> id = std::nullopt);

/// Fast path for acks: appends `3[<nsp>,]<id>[<args_json>]`, `args_json` as for `encode_event`.
void encode_ack(std::string& out, std::string_view nsp, std::uint64_t id,
                std::string_view args_json);

/// Limits of the decoder (never unbounded).
struct DecoderOptions {
  std::size_t max_attachments = 10;  ///< attachments per binary packet (reference default)
  std::size_t max_json_depth = 32;   ///< nesting of arrays and objects in a payload
};

/// Decodes Socket.IO packets from Engine.IO messages, reassembling binary packets from their
/// attachments. One per connection; not thread-safe. After an error it is reset, but the
/// connection should be closed: the peer broke the protocol.
class Decoder {
 public:
  /// A complete packet, nothing yet (attachments pending), or why the input was refused.
  using Result = boost::system::result<std::optional<Packet>>;

  /// Makes a decoder with the given limits.
  explicit Decoder(DecoderOptions options = {}) noexcept : options_(options) {}

  /// Decodes the text of one Engine.IO message. Returns the packet, or nullopt for a binary
  /// packet that now waits for its attachments. Errors: every `Error` except UnexpectedBinary.
  Result feed_text(std::string_view text);

  /// Takes the bytes of one binary Engine.IO message as the next attachment. Returns the
  /// reassembled packet after the last one, nullopt before. Error: UnexpectedBinary.
  Result feed_binary(std::string bytes);

  /// True while a binary packet waits for attachments.
  bool awaiting_attachments() const noexcept { return pending_ != nullptr; }

  /// Drops a partly received binary packet.
  void reset() noexcept;

 private:
  DecoderOptions options_;
  /// The binary packet waiting for its attachments; allocated then only (most connections
  /// never send one, and every connection holds a decoder).
  std::unique_ptr<Packet> pending_;
  std::size_t expected_ = 0;
};

}  // namespace switchboard::socketio
