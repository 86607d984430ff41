#include "client/socket_core.hpp"

#include <boost/json/serialize.hpp>

namespace switchboard::client::detail {
namespace {

socketio::Args to_args(boost::json::array values, std::size_t skip,
                       const std::vector<std::string>& attachments) {
  socketio::Args args;
  for (std::size_t i = skip; i < values.size(); ++i) args.values.push_back(std::move(values[i]));
  if (!attachments.empty()) socketio::inline_attachments(args.values, attachments);
  return args;
}

}  // namespace

socketio::Packet SocketCore::connect_packet(const boost::json::object& auth) const {
  socketio::Packet packet{.type = socketio::PacketType::Connect, .nsp = nsp_};
  if (pid_) {
    // The session first, then the user's auth (it wins on a clash), as the JS client does.
    boost::json::object data{{"pid", *pid_}};
    data["offset"] = offset_ ? boost::json::value(*offset_) : boost::json::value(nullptr);
    for (const auto& [key, value] : auth) data[key] = value;
    packet.data = std::move(data);
  } else if (!auth.empty()) {
    packet.data = auth;
  }
  return packet;
}

socketio::Packet SocketCore::event_packet(std::string_view name, socketio::Args args,
                                          std::optional<std::uint64_t> id) const {
  boost::json::array data;
  data.reserve(args.values.size() + 1);
  data.emplace_back(name);
  for (auto& v : args.values) data.push_back(std::move(v));
  socketio::Packet packet{
      .type = socketio::PacketType::Event, .nsp = nsp_, .id = id, .data = std::move(data)};
  socketio::extract_binaries(packet.data, packet.attachments);
  return packet;
}

socketio::Packet SocketCore::ack_packet(std::uint64_t id, socketio::Args args) const {
  socketio::Packet packet{
      .type = socketio::PacketType::Ack, .nsp = nsp_, .id = id, .data = std::move(args.values)};
  socketio::extract_binaries(packet.data, packet.attachments);
  return packet;
}

socketio::Packet SocketCore::disconnect_packet() const {
  return {.type = socketio::PacketType::Disconnect, .nsp = nsp_};
}

void SocketCore::left() {
  connected_ = false;
  pid_.reset();
  offset_.reset();
}

Incoming SocketCore::receive(socketio::Packet packet) {
  using socketio::PacketType;
  switch (packet.type) {
    case PacketType::Connect: {
      const auto* o = packet.data.if_object();
      const auto* sid = o ? o->if_contains("sid") : nullptr;
      if (!sid || !sid->is_string()) return InvalidIn{};
      const auto* pid = o->if_contains("pid");
      std::optional<std::string> new_pid;
      if (pid && pid->is_string()) new_pid = std::string(pid->as_string());
      recovered_ = new_pid && pid_ && *new_pid == *pid_;
      if (new_pid != pid_) offset_.reset();
      pid_ = std::move(new_pid);
      sid_ = std::string(sid->as_string());
      connected_ = true;
      return ConnectedIn{sid_, recovered_};
    }
    case PacketType::ConnectError: {
      RefusedIn refused;
      if (const auto* o = packet.data.if_object()) {
        if (const auto* m = o->if_contains("message"); m && m->is_string())
          refused.message = std::string(m->as_string());
        if (const auto* d = o->if_contains("data")) refused.data = *d;
      } else if (packet.data.is_string()) {
        refused.message = std::string(packet.data.as_string());
      }
      connected_ = false;
      return refused;
    }
    case PacketType::Event:
    case PacketType::BinaryEvent: {
      auto* a = packet.data.if_array();
      if (!a || a->empty()) return InvalidIn{};
      EventIn event;
      const auto& name = (*a)[0];
      if (name.is_string()) {
        event.name = std::string(name.as_string());
      } else if (name.is_int64() || name.is_uint64()) {
        event.name = boost::json::serialize(name);
      } else {
        return InvalidIn{};
      }
      event.id = packet.id;
      event.args = to_args(std::move(*a), 1, std::move(packet.attachments));
      // With recovery on, the last argument of an event without ack id is its offset
      // (PROTOCOL.md §7 item 42).
      if (pid_ && !event.id && !event.args.values.empty() && event.args.values.back().is_string())
        offset_ = std::string(event.args.values.back().as_string());
      return event;
    }
    case PacketType::Ack:
    case PacketType::BinaryAck: {
      auto* a = packet.data.if_array();
      if (!a || !packet.id) return InvalidIn{};
      return AckIn{*packet.id, to_args(std::move(*a), 0, std::move(packet.attachments))};
    }
    case PacketType::Disconnect:
      connected_ = false;
      pid_.reset();
      offset_.reset();
      return DisconnectIn{};
  }
  return InvalidIn{};
}

}  // namespace switchboard::client::detail
