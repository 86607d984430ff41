// Socket.IO packet decoding with binary attachments. The first byte picks the limits and how the
// rest is fed: split on '\x1e', the first chunk as text and the following ones as attachments,
// or every chunk as text. Properties: never crashes or throws; every decoded packet re-encodes
// into text that decodes to the same packet; an EVENT named by a string, without binaries, is
// written by the emit path's encoder (detail::encode_event_text) exactly as by the general one.
// (Doubles are compared loosely: Boost.JSON 1.81 parses them to within an ulp or so, so a
// serialised double may not read back bit for bit.)

#include <switchboard/socketio/args.hpp>
#include <switchboard/socketio/parser.hpp>

#include "socketio/event_text.hpp"
#include "socketio/json_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace switchboard::socketio;

void check(bool condition) {
  if (!condition) std::abort();
}

std::vector<std::string_view> split(std::string_view input) {
  std::vector<std::string_view> chunks;
  while (true) {
    const std::size_t end = input.find('\x1e');
    chunks.push_back(input.substr(0, end));
    if (end == std::string_view::npos) return chunks;
    input.remove_prefix(end + 1);
  }
}

bool same_json(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && b.is_double()) {
    const double x = a.get_double(), y = b.get_double();
    return x == y || std::abs(x - y) <= 1e-12 * std::max(std::abs(x), std::abs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (const auto* array = a.if_array()) {
    const auto& other = b.get_array();
    return array->size() == other.size() &&
           std::equal(array->begin(), array->end(), other.begin(), same_json);
  }
  if (const auto* object = a.if_object()) {
    const auto& other = b.get_object();
    if (object->size() != other.size()) return false;
    return std::equal(object->begin(), object->end(), other.begin(),
                      [](const auto& x, const auto& y) {
                        return x.key() == y.key() && same_json(x.value(), y.value());
                      });
  }
  return a == b;
}

void round_trip(const Packet& packet, const DecoderOptions& options) {
  std::string text;
  encode(text, packet);
  Decoder decoder(options);
  auto step = decoder.feed_text(text);
  for (const auto& attachment : packet.attachments) {
    check(step.has_value() && !step->has_value());
    step = decoder.feed_binary(attachment);
  }
  check(step.has_value() && step->has_value());
  const Packet& again = **step;
  check(again.nsp == packet.nsp && again.id == packet.id);
  check(again.attachments == packet.attachments);
  check(is_event(again.type) == is_event(packet.type) && is_ack(again.type) == is_ack(packet.type));
  check(same_json(again.data, packet.data));
}

// What Socket::emit writes for the event `packet` holds: the same text as encode().
void same_as_emit(const Packet& packet) {
  if (packet.type != PacketType::Event || !packet.attachments.empty()) return;
  const auto& data = packet.data.as_array();
  if (!data.front().is_string()) return;
  const boost::json::array args(data.begin() + 1, data.end());
  if (switchboard::socketio::detail::has_binary(args)) return;
  std::string general;
  encode(general, packet);
  std::string fast;
  switchboard::socketio::detail::encode_event_text(
      fast, packet.nsp, std::string_view(data.front().get_string()), args, packet.id);
  check(fast == general);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const DecoderOptions options{.max_attachments = (mode & 1) ? 10u : 2u,
                               .max_json_depth = (mode & 2) ? 32u : 4u};
  const bool all_text = (mode & 4) != 0;
  const auto chunks = split({reinterpret_cast<const char*>(data) + 1, size - 1});
  Decoder decoder(options);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const bool as_text = all_text || i == 0;
    auto step =
        as_text ? decoder.feed_text(chunks[i]) : decoder.feed_binary(std::string(chunks[i]));
    if (!step) {
      check(!decoder.awaiting_attachments());
      continue;
    }
    if (*step) {
      round_trip(**step, options);
      same_as_emit(**step);
    }
  }
  return 0;
}
