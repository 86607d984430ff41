#include "switchboard/adapter/messages.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/adapter/error.hpp"

namespace switchboard::adapter {
namespace {

namespace json = boost::json;

boost::system::error_code malformed() {
  return make_error_code(Error::MalformedMessage);
}

// A list of room names; JavaScript callers may use numbers as rooms.
bool rooms_from(const json::value* v, std::vector<std::string>& out) {
  if (!v || v->is_null()) return true;
  const auto* a = v->if_array();
  if (!a) return false;
  out.reserve(a->size());
  for (const auto& room : *a) {
    if (room.is_string()) {
      out.emplace_back(room.get_string());
    } else if (room.is_number()) {
      out.push_back(json::serialize(room));
    } else {
      return false;
    }
  }
  return true;
}

json::array rooms_to(const std::vector<std::string>& rooms) {
  json::array a;
  a.reserve(rooms.size());
  for (const auto& room : rooms) a.emplace_back(room);
  return a;
}

std::string_view string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::optional<std::int64_t> int_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) {
    // Whole numbers within int64 only: casting a double outside that range (or NaN) is
    // undefined behaviour.
    const double d = v->get_double();
    if (d >= -0x1p63 && d < 0x1p63 && d == static_cast<double>(static_cast<std::int64_t>(d)))
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

bool starts_json(std::string_view bytes) {
  return !bytes.empty() && bytes.front() == '{';
}

}  // namespace

std::optional<std::int64_t> BroadcastOptions::timeout() const {
  return int_field(flags, "timeout");
}

json::object to_json(const BroadcastOptions& opts, bool with_flags) {
  json::object o;
  o["rooms"] = rooms_to(opts.rooms);
  o["except"] = rooms_to(opts.except);
  if (with_flags) o["flags"] = opts.flags;
  return o;
}

boost::system::result<BroadcastOptions> broadcast_options_from(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return malformed();
  BroadcastOptions opts;
  if (!rooms_from(o->if_contains("rooms"), opts.rooms) ||
      !rooms_from(o->if_contains("except"), opts.except))
    return malformed();
  if (const auto* flags = o->if_contains("flags"); flags && flags->is_object())
    opts.flags = flags->get_object();
  return opts;
}

WireValue packet_to_wire(const socketio::Packet& packet, bool with_nsp) {
  json::object o;
  // The wire keeps the plain type: Node re-encodes the packet and finds the binaries itself.
  auto type = packet.type;
  if (type == socketio::PacketType::BinaryEvent) type = socketio::PacketType::Event;
  if (type == socketio::PacketType::BinaryAck) type = socketio::PacketType::Ack;
  o["type"] = static_cast<int>(type);
  o["data"] = packet.data;
  if (with_nsp) o["nsp"] = packet.nsp;
  if (packet.id) o["id"] = *packet.id;
  return {json::value(std::move(o)), packet.attachments};
}

boost::system::result<socketio::Packet> packet_from_wire(const json::value& v,
                                                         std::vector<std::string> attachments) {
  const auto* o = v.if_object();
  if (!o) return malformed();
  const auto type = int_field(*o, "type");
  if (!type || *type < 0 || *type > 6) return malformed();
  socketio::Packet packet;
  packet.type = static_cast<socketio::PacketType>(*type);
  if (const auto* nsp = o->if_contains("nsp")) {
    if (!nsp->is_string()) return malformed();
    packet.nsp = nsp->get_string();
  }
  if (const auto* data = o->if_contains("data")) packet.data = *data;
  if (socketio::is_event(packet.type) && !packet.data.is_array()) return malformed();
  if (const auto id = int_field(*o, "id"); id && *id >= 0)
    packet.id = static_cast<std::uint64_t>(*id);
  packet.attachments = std::move(attachments);
  return packet;
}

std::string encode_broadcast(const BroadcastMessage& message) {
  WireValue packet = packet_to_wire(message.packet);
  WireValue whole{
      json::array{json::string(message.uid), std::move(packet.json), to_json(message.opts)},
      std::move(packet.attachments)};
  return to_msgpack(whole);
}

boost::system::result<BroadcastMessage> decode_broadcast(std::string_view bytes) {
  auto value = from_msgpack(bytes);
  if (!value) return value.error();
  const auto* a = value->json.if_array();
  if (!a || a->size() < 3 || !(*a)[0].is_string()) return malformed();
  BroadcastMessage message;
  message.uid = (*a)[0].get_string();
  auto packet = packet_from_wire((*a)[1], std::move(value->attachments));
  if (!packet) return packet.error();
  message.packet = std::move(*packet);
  auto opts = broadcast_options_from((*a)[2]);
  if (!opts) return opts.error();
  message.opts = std::move(*opts);
  return message;
}

std::optional<RequestType> ClassicMessage::type() const {
  const auto t = int_field(fields, "type");
  if (!t || *t < 0 || *t > 9) return std::nullopt;
  return static_cast<RequestType>(*t);
}
std::string_view ClassicMessage::uid() const {
  return string_field(fields, "uid");
}
std::string_view ClassicMessage::request_id() const {
  return string_field(fields, "requestId");
}

std::string encode_classic(const ClassicMessage& message) {
  const auto type = message.type();
  WireValue value{json::value(message.fields), message.attachments};
  if (type == RequestType::Broadcast || type == RequestType::BroadcastAck) return to_msgpack(value);
  return to_json(value);
}

boost::system::result<ClassicMessage> decode_classic(std::string_view bytes) {
  auto value = starts_json(bytes) ? from_json(bytes) : from_msgpack(bytes);
  if (!value) return value.error();
  if (!value->json.is_object()) return malformed();
  return ClassicMessage{std::move(value->json.get_object()), std::move(value->attachments)};
}

std::string encode_cluster(const ClusterMessage& message) {
  // The member order of cluster-adapter.ts: type, data, then uid and nsp added by publish().
  json::object o;
  o["type"] = static_cast<int>(message.type);
  if (!message.data.json.is_null()) o["data"] = message.data.json;
  o["uid"] = message.uid;
  o["nsp"] = message.nsp;
  WireValue value{json::value(std::move(o)), message.data.attachments};
  switch (message.type) {
    case MessageType::Broadcast:
    case MessageType::BroadcastAck:
    case MessageType::FetchSocketsResponse:
    case MessageType::ServerSideEmit:
    case MessageType::ServerSideEmitResponse:
      if (!value.attachments.empty()) return to_msgpack(value);
      break;
    default:
      break;
  }
  return to_json(value);
}

boost::system::result<ClusterMessage> decode_cluster(std::string_view bytes) {
  auto value = starts_json(bytes) ? from_json(bytes) : from_msgpack(bytes);
  if (!value) return value.error();
  auto* o = value->json.if_object();
  if (!o) return malformed();
  const auto type = int_field(*o, "type");
  if (!type || *type < 1 || *type > 13) return malformed();
  ClusterMessage message;
  message.uid = string_field(*o, "uid");
  message.nsp = string_field(*o, "nsp");
  message.type = static_cast<MessageType>(*type);
  if (auto* data = o->if_contains("data")) message.data.json = std::move(*data);
  message.data.attachments = std::move(value->attachments);
  return message;
}

}  // namespace switchboard::adapter
