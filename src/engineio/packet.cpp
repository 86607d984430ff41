#include <switchboard/engineio/packet.hpp>
#include <switchboard/log/format.hpp>

#include "engineio/base64.hpp"

#include <charconv>

namespace switchboard::engineio {
namespace {

constexpr char max_type_digit = type_digit(PacketType::Noop);

void append_number(std::string& out, std::uint64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

}  // namespace

void append_text_packet(std::string& out, PacketType type, std::string_view data) {
  out.reserve(out.size() + 1 + data.size());
  out += type_digit(type);
  out += data;
}

void append_base64_packet(std::string& out, std::string_view bytes) {
  out += 'b';
  detail::append_base64(out, bytes);
}

void append_polling_packet(std::string& out, const Packet& packet) {
  if (packet.binary) {
    append_base64_packet(out, packet.data);
  } else {
    append_text_packet(out, packet.type, packet.data);
  }
}

void append_websocket_packet(std::string& out, const Packet& packet) {
  if (packet.binary) {
    out += packet.data;
  } else {
    append_text_packet(out, packet.type, packet.data);
  }
}

boost::system::result<Packet> decode_packet(std::string_view text) {
  if (text.empty()) return DecodeError::EmptyPacket;
  const char first = text.front();
  text.remove_prefix(1);
  if (first == 'b') {
    Packet packet{.type = PacketType::Message, .binary = true};
    if (!detail::decode_base64(text, packet.data)) return DecodeError::InvalidBase64;
    return packet;
  }
  if (first < '0' || first > max_type_digit) return DecodeError::UnknownPacketType;
  return Packet{.type = static_cast<PacketType>(first - '0'), .data = std::string(text)};
}

boost::system::result<Packet> decode_websocket_frame(std::string_view payload, bool binary_frame) {
  if (binary_frame) {
    return Packet{.type = PacketType::Message, .data = std::string(payload), .binary = true};
  }
  return decode_packet(payload);
}

void append_open_json(std::string& out, const OpenInfo& info) {
  out += R"({"sid":)";
  log::append_json_string(out, info.sid);
  out += R"(,"upgrades":[)";
  for (std::size_t i = 0; i < info.upgrades.size(); ++i) {
    if (i > 0) out += ',';
    log::append_json_string(out, info.upgrades[i]);
  }
  out += R"(],"pingInterval":)";
  append_number(out, static_cast<std::uint64_t>(info.ping_interval.count()));
  out += R"(,"pingTimeout":)";
  append_number(out, static_cast<std::uint64_t>(info.ping_timeout.count()));
  out += R"(,"maxPayload":)";
  append_number(out, info.max_payload);
  out += '}';
}

Packet make_open_packet(const OpenInfo& info) {
  Packet packet{.type = PacketType::Open};
  append_open_json(packet.data, info);
  return packet;
}

}  // namespace switchboard::engineio
