// Helpers shared by the ws unit tests: building client frames and decoding whole wires.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/ws/frame.hpp"
#include "switchboard/ws/message_decoder.hpp"

namespace switchboard::ws::test {

/// Bytes from integers: bytes({0x81, 0x00}).
inline std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

inline std::span<const uint8_t> as_span(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

/// Options for one frame a test client sends.
struct ClientFrame {
  Opcode opcode = Opcode::Text;
  std::string payload;
  bool fin = true;
  bool rsv1 = false;
  bool masked = true;
};

/// The wire bytes of `f`, masked with a fixed key (as a client would send them).
inline std::string client_frame(const ClientFrame& f) {
  std::string out;
  append_frame(out,
               FrameHeader{.fin = f.fin,
                           .rsv1 = f.rsv1,
                           .opcode = f.opcode,
                           .masked = f.masked,
                           .mask = {0x37, 0xfa, 0x21, 0x3d}},
               f.payload);
  return out;
}

/// Feeds `wire` to a fresh decoder in chunks of `chunk` bytes and collects every event; with
/// `in_place`, through feed_in_place() on a copy of each chunk (a message handed out in place
/// is copied into `payload` before that copy is reused).
inline std::vector<Event> decode(std::string_view wire, const DecoderOptions& options = {},
                                 size_t chunk = SIZE_MAX, bool in_place = false) {
  MessageDecoder decoder(options);
  std::vector<Event> events;
  Event event;
  while (!wire.empty()) {
    std::string copy(wire.substr(0, std::min(chunk, wire.size())));
    std::span<uint8_t> piece(reinterpret_cast<uint8_t*>(copy.data()), copy.size());
    while (!piece.empty()) {
      const size_t used = in_place ? decoder.feed_in_place(piece, event)
                                   : decoder.feed(std::span<const uint8_t>(piece), event);
      piece = piece.subspan(used);
      wire.remove_prefix(used);
      if (event.kind == EventKind::None) continue;
      if (event.in_place) {
        event.payload.assign(event.view);
        event.in_place = false;
      }
      events.push_back(std::move(event));
    }
  }
  return events;
}

/// What a client reads from a server connection: the 101 answer, then unmasked frames of
/// under 64 KiB (as the connection tests' servers send).
class ServerFrameReader {
 public:
  /// One server frame.
  struct Frame {
    bool rsv1 = false;
    int opcode = 0;
    std::string payload;
  };
  /// Adds bytes read from the server.
  void add(std::string_view bytes) { buffer_ += bytes; }
  /// The next whole frame, if the bytes added hold one.
  std::optional<Frame> next() {
    if (!upgraded_) {
      auto end = buffer_.find("\r\n\r\n");
      if (end == std::string::npos) return std::nullopt;
      EXPECT_EQ(buffer_.substr(0, 12), "HTTP/1.1 101");
      buffer_.erase(0, end + 4);
      upgraded_ = true;
    }
    if (buffer_.size() < 2) return std::nullopt;
    std::size_t header = 2;
    std::size_t length = static_cast<unsigned char>(buffer_[1]) & 0x7f;
    if (length == 126) {
      if (buffer_.size() < 4) return std::nullopt;
      length =
          (static_cast<unsigned char>(buffer_[2]) << 8) | static_cast<unsigned char>(buffer_[3]);
      header = 4;
    }
    EXPECT_NE(length, 127u);  // these tests' frames are under 64 KiB
    if (buffer_.size() < header + length) return std::nullopt;
    Frame f{.rsv1 = (static_cast<unsigned char>(buffer_[0]) & 0x40) != 0,
            .opcode = static_cast<unsigned char>(buffer_[0]) & 0x0f,
            .payload = buffer_.substr(header, length)};
    buffer_.erase(0, header + length);
    return f;
  }

 private:
  std::string buffer_;
  bool upgraded_ = false;
};

}  // namespace switchboard::ws::test
