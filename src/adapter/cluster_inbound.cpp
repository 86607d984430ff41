// ClusterCore: what a message from the bus means (lib/index.ts onmessage / onrequest /
// onresponse; cluster-adapter.ts onMessage / onResponse). Malformed messages are dropped.
#include "switchboard/adapter/cluster_core.hpp"

namespace switchboard::adapter {

namespace json = boost::json;

namespace {

const json::value* field(const json::object& o, std::string_view key) {
  return o.if_contains(key);
}

std::string_view string_of(const json::value* v) {
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::optional<BroadcastOptions> opts_of(const json::object& o) {
  const auto* v = field(o, "opts");
  if (!v) return std::nullopt;
  auto opts = broadcast_options_from(*v);
  if (!opts) return std::nullopt;
  return std::move(*opts);
}

std::vector<std::string> strings_of(const json::value* v) {
  if (!v) return {};
  auto parsed = broadcast_options_from(json::object{{"rooms", *v}});
  return parsed ? std::move(parsed->rooms) : std::vector<std::string>{};
}

std::optional<std::size_t> count_of(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::size_t>(v->get_int64());
  if (v->is_uint64()) return static_cast<std::size_t>(v->get_uint64());
  if (v->is_double() && v->get_double() >= 0) return static_cast<std::size_t>(v->get_double());
  return std::nullopt;
}

// The answers a fetch reply carries, one WireValue per socket.
std::optional<std::vector<WireValue>> sockets_of(const json::object& o,
                                                 const std::vector<std::string>& attachments) {
  const auto* sockets = field(o, "sockets");
  if (!sockets || !sockets->is_array()) return std::nullopt;
  std::vector<WireValue> items;
  for (const auto& s : sockets->get_array()) items.push_back({s, attachments});
  return items;
}

}  // namespace

Inbound ClusterCore::on_message(std::string_view channel, std::string_view payload,
                                const HasRoom& has_room) {
  if (options_.mode == ClusterMode::Sharded) return on_sharded(channel, payload);
  if (channel.starts_with(channels_.response())) {
    on_classic_response(payload);
    return {};
  }
  if (channel == channels_.request()) return on_classic_request(payload);
  if (const auto room = channels_.room_of(channel))
    return on_classic_broadcast(*room, payload, has_room);
  return {};
}

Inbound ClusterCore::on_classic_broadcast(std::string_view room, std::string_view payload,
                                          const HasRoom& has_room) {
  // A room channel for a room with no local socket: nothing to deliver (lib/index.ts:210-218).
  if (!room.empty() && (!has_room || !has_room(room))) return {};
  auto message = decode_broadcast(payload);
  if (!message || message->uid == uid_ || message->packet.nsp != nsp_) return {};
  return inbound::Broadcast{std::move(message->packet), std::move(message->opts),
                            std::move(message->uid)};
}

Inbound ClusterCore::on_classic_request(std::string_view payload) {
  auto decoded = decode_classic(payload);
  if (!decoded) return {};
  auto& m = *decoded;
  const auto type = m.type();
  if (!type) return {};
  Requester requester{std::string(m.uid()), std::string(m.request_id())};
  switch (*type) {
    case RequestType::Sockets:
      if (pending_.waiting(requester.request_id)) return {};
      return inbound::Sockets{strings_of(field(m.fields, "rooms")), std::move(requester)};
    case RequestType::AllRooms:
      if (pending_.waiting(requester.request_id)) return {};
      return inbound::AllRooms{std::move(requester)};
    case RequestType::RemoteJoin:
    case RequestType::RemoteLeave:
    case RequestType::RemoteDisconnect: {
      // The Node publisher applies its own request when it comes back; this node applies
      // its own at once instead, so it skips them here.
      auto opts = opts_of(m.fields);
      if (!opts || requester.uid == uid_) return {};  // the pre-7 form (sid, room) is not spoken
      if (*type == RequestType::RemoteJoin)
        return inbound::SocketsJoin{std::move(*opts), strings_of(field(m.fields, "rooms"))};
      if (*type == RequestType::RemoteLeave)
        return inbound::SocketsLeave{std::move(*opts), strings_of(field(m.fields, "rooms"))};
      const auto* close = field(m.fields, "close");
      return inbound::DisconnectSockets{std::move(*opts),
                                        close && close->is_bool() && close->get_bool()};
    }
    case RequestType::RemoteFetch: {
      if (pending_.waiting(requester.request_id) || requester.uid == uid_) return {};
      auto opts = opts_of(m.fields);
      if (!opts) return {};
      return inbound::FetchSockets{std::move(*opts), std::move(requester)};
    }
    case RequestType::ServerSideEmit: {
      const auto* data = field(m.fields, "data");
      if (requester.uid == uid_ || !data || !data->is_array()) return {};
      inbound::ServerSideEmit emit{{*data, std::move(m.attachments)}, std::nullopt};
      if (field(m.fields, "requestId")) emit.requester = std::move(requester);
      return emit;
    }
    case RequestType::Broadcast: {
      if (pending_.waiting_ack(requester.request_id) || requester.uid == uid_) return {};
      auto opts = opts_of(m.fields);
      const auto* packet = field(m.fields, "packet");
      if (!opts || !packet) return {};
      auto p = packet_from_wire(*packet, std::move(m.attachments));
      if (!p) return {};
      return inbound::BroadcastWithAck{std::move(*p), std::move(*opts), std::move(requester)};
    }
    default:
      return {};
  }
}

void ClusterCore::on_classic_response(std::string_view payload) {
  auto decoded = decode_classic(payload);
  if (!decoded) return;
  auto& m = *decoded;
  const std::string id(m.request_id());
  if (id.empty()) return;
  if (pending_.waiting_ack(id)) {
    if (m.type() == RequestType::BroadcastClientCount) {
      if (auto n = count_of(field(m.fields, "clientCount"))) pending_.client_count(id, *n);
    } else if (m.type() == RequestType::BroadcastAck) {
      const auto* packet = field(m.fields, "packet");
      pending_.ack(id, {packet ? *packet : json::value(), std::move(m.attachments)});
    }
    return;
  }
  if (!pending_.waiting(id)) return;
  if (m.type() == RequestType::ServerSideEmit) {
    const auto* data = field(m.fields, "data");
    pending_.answer(id, {data ? *data : json::value(), std::move(m.attachments)});
  } else if (auto sockets = sockets_of(m.fields, m.attachments)) {
    pending_.answer_items(id, std::move(*sockets));
  } else {
    pending_.answer_empty(id);  // counted, as the reference counts it
  }
}

Inbound ClusterCore::on_sharded(std::string_view channel, std::string_view payload) {
  auto decoded = decode_cluster(payload);
  if (!decoded) return {};
  auto& m = *decoded;
  if (channel == channels_.sharded_response(uid_)) {
    on_sharded_response(std::move(m));
    return {};
  }
  if (m.uid == uid_ || m.nsp != nsp_) return {};
  const auto* data = m.data.json.if_object();
  if (!data) return {};
  Requester requester{m.uid, std::string(string_of(field(*data, "requestId")))};
  switch (m.type) {
    case MessageType::Broadcast: {
      auto opts = opts_of(*data);
      const auto* packet = field(*data, "packet");
      if (!opts || !packet) return {};
      auto p = packet_from_wire(*packet, std::move(m.data.attachments));
      if (!p) return {};
      p->nsp = nsp_;  // the sharded packet has no nsp of its own
      if (field(*data, "requestId"))
        return inbound::BroadcastWithAck{std::move(*p), std::move(*opts), std::move(requester)};
      return inbound::Broadcast{std::move(*p), std::move(*opts), m.uid};
    }
    case MessageType::SocketsJoin:
    case MessageType::SocketsLeave: {
      auto opts = opts_of(*data);
      if (!opts) return {};
      if (m.type == MessageType::SocketsJoin)
        return inbound::SocketsJoin{std::move(*opts), strings_of(field(*data, "rooms"))};
      return inbound::SocketsLeave{std::move(*opts), strings_of(field(*data, "rooms"))};
    }
    case MessageType::DisconnectSockets: {
      auto opts = opts_of(*data);
      if (!opts) return {};
      const auto* close = field(*data, "close");
      return inbound::DisconnectSockets{std::move(*opts),
                                        close && close->is_bool() && close->get_bool()};
    }
    case MessageType::FetchSockets: {
      auto opts = opts_of(*data);
      if (!opts) return {};
      return inbound::FetchSockets{std::move(*opts), std::move(requester)};
    }
    case MessageType::ServerSideEmit: {
      const auto* packet = field(*data, "packet");
      if (!packet || !packet->is_array()) return {};
      inbound::ServerSideEmit emit{{*packet, std::move(m.data.attachments)}, std::nullopt};
      if (field(*data, "requestId")) emit.requester = std::move(requester);
      return emit;
    }
    case MessageType::FetchSocketsResponse:
    case MessageType::ServerSideEmitResponse:
    case MessageType::BroadcastClientCount:
    case MessageType::BroadcastAck:
      on_sharded_response(std::move(m));  // as cluster-adapter.ts does
      return {};
    default:
      return {};  // heartbeats and ADAPTER_CLOSE: the sharded adapter keeps no node list
  }
}

void ClusterCore::on_sharded_response(ClusterMessage m) {
  const auto* data = m.data.json.if_object();
  if (!data) return;
  const std::string id(string_of(field(*data, "requestId")));
  switch (m.type) {
    case MessageType::BroadcastClientCount:
      if (auto n = count_of(field(*data, "clientCount"))) pending_.client_count(id, *n);
      return;
    case MessageType::BroadcastAck: {
      const auto* packet = field(*data, "packet");
      pending_.ack(id, {packet ? *packet : json::value(), std::move(m.data.attachments)});
      return;
    }
    case MessageType::FetchSocketsResponse:
      if (auto sockets = sockets_of(*data, m.data.attachments))
        pending_.answer_items(id, std::move(*sockets));
      return;
    case MessageType::ServerSideEmitResponse: {
      const auto* packet = field(*data, "packet");
      pending_.answer(id, {packet ? *packet : json::value(), std::move(m.data.attachments)});
      return;
    }
    default:
      return;
  }
}

}  // namespace switchboard::adapter
