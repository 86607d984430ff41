// Engine.IO payload and WebSocket frame decoding. Properties: decoding never crashes, throws or
// reads out of bounds; whatever decodes re-encodes into bytes that decode to the same packets.

#include <switchboard/engineio/payload.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace switchboard::engineio;

void check(bool condition) {
  if (!condition) std::abort();
}

void payload_round_trip(std::string_view body) {
  const auto packets = decode_payload(body, {.max_bytes = 1 << 20, .max_packets = 1000});
  if (!packets) return;
  std::string encoded;
  append_payload(encoded, *packets);
  const auto again = decode_payload(encoded, {.max_bytes = 1 << 22, .max_packets = 1000});
  check(again.has_value());
  check(*again == *packets);
}

void frame_round_trip(std::string_view frame, bool binary) {
  const auto packet = decode_websocket_frame(frame, binary);
  if (!packet) return;
  std::string encoded;
  append_websocket_packet(encoded, *packet);
  const auto again = decode_websocket_frame(encoded, packet->binary);
  check(again.has_value());
  check(*again == *packet);
  // A text frame that is not base64 comes back byte for byte.
  if (!binary && !packet->binary) check(encoded == frame);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  payload_round_trip(input);
  frame_round_trip(input, false);
  frame_round_trip(input, true);
  return 0;
}
