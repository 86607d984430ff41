// Helpers shared by the ws unit tests: building client frames and decoding whole wires.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
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

}  // namespace switchboard::ws::test
