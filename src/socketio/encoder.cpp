#include <switchboard/socketio/parser.hpp>

#include "socketio/event_text.hpp"
#include "socketio/json_text.hpp"
#include "switchboard/log/format.hpp"

#include <boost/json/array.hpp>

#include <cassert>

namespace switchboard::socketio {
namespace {

// The type written on the wire: binary twins when (and only when) there are attachments.
PacketType wire_type(const Packet& packet) {
  const bool binary = !packet.attachments.empty();
  if (is_event(packet.type)) return binary ? PacketType::BinaryEvent : PacketType::Event;
  if (is_ack(packet.type)) return binary ? PacketType::BinaryAck : PacketType::Ack;
  assert(!binary && "only EVENT and ACK packets carry attachments");
  return packet.type;
}

void append_type(std::string& out, PacketType type) {
  out += static_cast<char>('0' + static_cast<int>(type));
}

// `<nsp>,` unless the main namespace, which is implied.
void append_namespace(std::string& out, std::string_view nsp) {
  if (nsp.empty() || nsp == "/") return;
  out += nsp;
  out += ',';
}

}  // namespace

void encode(std::string& out, const Packet& packet) {
  const PacketType type = wire_type(packet);
  append_type(out, type);
  if (is_binary(type)) {
    detail::append_decimal(out, packet.attachments.size());
    out += '-';
  }
  append_namespace(out, packet.nsp);
  if (packet.id) detail::append_decimal(out, *packet.id);
  if (!packet.data.is_null()) detail::append_json(out, packet.data);
}

void encode_event(std::string& out, std::string_view nsp, std::string_view event,
                  std::string_view args_json, std::optional<std::uint64_t> id) {
  out.reserve(out.size() + nsp.size() + event.size() + args_json.size() + 32);
  append_type(out, PacketType::Event);
  append_namespace(out, nsp);
  if (id) detail::append_decimal(out, *id);
  out += '[';
  log::append_json_string(out, event);
  if (!args_json.empty()) {
    out += ',';
    out += args_json;
  }
  out += ']';
}

void encode_ack(std::string& out, std::string_view nsp, std::uint64_t id,
                std::string_view args_json) {
  out.reserve(out.size() + nsp.size() + args_json.size() + 24);
  append_type(out, PacketType::Ack);
  append_namespace(out, nsp);
  detail::append_decimal(out, id);
  out += '[';
  out += args_json;
  out += ']';
}

namespace detail {

void encode_event_text(std::string& out, std::string_view nsp, std::string_view event,
                       const boost::json::array& args, std::optional<std::uint64_t> id) {
  out.reserve(out.size() + nsp.size() + event.size() + 64);
  append_type(out, PacketType::Event);
  append_namespace(out, nsp);
  if (id) append_decimal(out, *id);
  out += '[';
  append_json_string(out, event);
  for (const auto& arg : args) {
    out += ',';
    append_json(out, arg);
  }
  out += ']';
}

}  // namespace detail

}  // namespace switchboard::socketio
