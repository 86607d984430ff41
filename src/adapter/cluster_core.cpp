// ClusterCore: what the local node sends (operations and replies). What it receives is in
// cluster_inbound.cpp.
#include "switchboard/adapter/cluster_core.hpp"

#include <array>

#include "switchboard/adapter/error.hpp"
#include "switchboard/net/random.hpp"

namespace switchboard::adapter {

namespace json = boost::json;

namespace {

std::string random_id(std::size_t length, std::string_view alphabet) {
  std::array<unsigned char, 32> bytes{};
  net::random_bytes(std::span(bytes.data(), length));
  std::string id;
  for (std::size_t i = 0; i < length; ++i) id += alphabet[bytes[i] % alphabet.size()];
  return id;
}

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kHex = "0123456789abcdef";

json::value rooms_json(const std::vector<std::string>& rooms) {
  json::array a;
  for (const auto& r : rooms) a.emplace_back(r);
  return a;
}

}  // namespace

ClusterCore::ClusterCore(ClusterOptions options, std::string nsp, std::string uid, Bus& bus,
                         std::function<std::string()> make_request_id)
    : options_(std::move(options)),
      nsp_(std::move(nsp)),
      uid_(std::move(uid)),
      bus_(bus),
      make_request_id_(std::move(make_request_id)),
      channels_(options_.key, nsp_) {}

std::string ClusterCore::make_uid(ClusterMode mode) {
  // Classic: uid2(6); sharded: randomBytes(8).toString("hex").
  return mode == ClusterMode::Classic ? random_id(6, kAlnum) : random_id(16, kHex);
}

std::string ClusterCore::request_id() {
  if (make_request_id_) return make_request_id_();
  return options_.mode == ClusterMode::Classic ? random_id(6, kAlnum) : random_id(16, kHex);
}

std::vector<std::pair<Subscription, std::string>> ClusterCore::subscriptions() const {
  if (options_.mode == ClusterMode::Sharded)
    return {{Subscription::Shard, channels_.main()},
            {Subscription::Shard, channels_.sharded_response(uid_)}};
  return {{Subscription::Pattern, channels_.pattern()},
          {Subscription::Channel, channels_.request()},
          {Subscription::Channel, channels_.response()},
          {Subscription::Channel, channels_.specific_response(uid_)}};
}

std::optional<std::string> ClusterCore::room_subscription(std::string_view room,
                                                          bool is_socket_id) const {
  if (options_.mode != ClusterMode::Sharded || is_socket_id) return std::nullopt;
  return channels_.room(room);
}

std::vector<std::string> ClusterCore::server_count_command() const {
  if (options_.mode == ClusterMode::Sharded) return {"PUBSUB", "SHARDNUMSUB", channels_.main()};
  return {"PUBSUB", "NUMSUB", channels_.request()};
}

std::optional<std::size_t> ClusterCore::server_count_from(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::Array || reply.elements.size() < 2) return std::nullopt;
  const auto& n = reply.elements[1];
  if (n.type != RedisReply::Type::Integer || n.integer < 0) return std::nullopt;
  return static_cast<std::size_t>(n.integer);
}

void ClusterCore::publish_classic(const std::string& channel, const ClassicMessage& message) {
  bus_.publish(channel, encode_classic(message));
}

void ClusterCore::publish_cluster(MessageType type, WireValue data, const std::string* to) {
  ClusterMessage message{.uid = uid_, .nsp = nsp_, .type = type, .data = std::move(data)};
  const std::string channel =
      to ? channels_.sharded_response(*to) : channels_.sharded_publish(message);
  bus_.publish(channel, encode_cluster(message));
}

void ClusterCore::broadcast(const socketio::Packet& packet, const BroadcastOptions& opts) {
  socketio::Packet p = packet;
  p.nsp = nsp_;
  if (options_.mode == ClusterMode::Classic) {
    bus_.publish(channels_.classic_broadcast(opts), encode_broadcast({uid_, std::move(p), opts}));
    return;
  }
  WireValue wire = packet_to_wire(p, false);
  json::object data{{"packet", std::move(wire.json)}, {"opts", to_json(opts)}};
  publish_cluster(MessageType::Broadcast, {std::move(data), std::move(wire.attachments)});
}

void ClusterCore::broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& opts,
                                     TimePoint now, AckHandlers handlers) {
  const std::string id = request_id();
  const auto timeout =
      opts.timeout() ? std::chrono::milliseconds(*opts.timeout()) : options_.requests_timeout;
  pending_.add_ack(id, now + timeout, std::move(handlers));
  socketio::Packet p = packet;
  p.nsp = nsp_;
  WireValue wire = packet_to_wire(p, options_.mode == ClusterMode::Classic);
  if (options_.mode == ClusterMode::Classic) {
    ClassicMessage m{.fields = {{"uid", uid_},
                                {"requestId", id},
                                {"type", static_cast<int>(RequestType::Broadcast)},
                                {"packet", std::move(wire.json)},
                                {"opts", to_json(opts)}},
                     .attachments = std::move(wire.attachments)};
    return publish_classic(channels_.request(), m);
  }
  json::object data{{"packet", std::move(wire.json)}, {"requestId", id}, {"opts", to_json(opts)}};
  publish_cluster(MessageType::Broadcast, {std::move(data), std::move(wire.attachments)});
}

void ClusterCore::remote(MessageType sharded, RequestType classic, const BroadcastOptions& opts,
                         json::object extra) {
  // Member order as the references write them: classic {uid, type, opts, ...}, sharded {opts, ...}.
  json::object o;
  if (options_.mode == ClusterMode::Classic) {
    o["uid"] = uid_;
    o["type"] = static_cast<int>(classic);
  }
  o["opts"] = to_json(opts, options_.mode == ClusterMode::Sharded);
  for (auto& [key, value] : extra) o[key] = std::move(value);
  if (options_.mode == ClusterMode::Classic)
    return publish_classic(channels_.request(), {std::move(o), {}});
  publish_cluster(sharded, {std::move(o), {}});
}

void ClusterCore::add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
  remote(MessageType::SocketsJoin, RequestType::RemoteJoin, opts, {{"rooms", rooms_json(rooms)}});
}

void ClusterCore::del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
  remote(MessageType::SocketsLeave, RequestType::RemoteLeave, opts, {{"rooms", rooms_json(rooms)}});
}

void ClusterCore::disconnect_sockets(const BroadcastOptions& opts, bool close) {
  remote(MessageType::DisconnectSockets, RequestType::RemoteDisconnect, opts, {{"close", close}});
}

bool ClusterCore::wait(std::optional<std::size_t> server_count, TimePoint deadline,
                       const std::string& id, Collect done) {
  if (!server_count) {
    pending_.add(id, SIZE_MAX, deadline, std::move(done), make_error_code(Error::RedisUnavailable));
    return false;
  }
  // Both references wait for every other node (classic counts itself as the first answer).
  const std::size_t expected = *server_count > 0 ? *server_count - 1 : 0;
  pending_.add(id, expected, deadline, std::move(done));
  return expected > 0;
}

void ClusterCore::fetch_sockets(const BroadcastOptions& opts,
                                std::optional<std::size_t> server_count, TimePoint now,
                                Collect done) {
  auto timeout = options_.requests_timeout;
  if (options_.mode == ClusterMode::Sharded && opts.timeout())
    timeout = std::chrono::milliseconds(*opts.timeout());
  const std::string id = request_id();
  if (!wait(server_count, now + timeout, id, std::move(done))) return;
  if (options_.mode == ClusterMode::Classic) {
    ClassicMessage m{.fields = {{"uid", uid_},
                                {"requestId", id},
                                {"type", static_cast<int>(RequestType::RemoteFetch)},
                                {"opts", to_json(opts, false)}}};
    return publish_classic(channels_.request(), m);
  }
  publish_cluster(MessageType::FetchSockets,
                  {json::object{{"opts", to_json(opts)}, {"requestId", id}}, {}});
}

void ClusterCore::server_side_emit(const WireValue& args) {
  if (options_.mode == ClusterMode::Classic) {
    ClassicMessage m{.fields = {{"uid", uid_},
                                {"type", static_cast<int>(RequestType::ServerSideEmit)},
                                {"data", args.json}}};
    return publish_classic(channels_.request(), m);
  }
  publish_cluster(MessageType::ServerSideEmit,
                  {json::object{{"packet", args.json}}, args.attachments});
}

void ClusterCore::server_side_emit_with_ack(const WireValue& args,
                                            std::optional<std::size_t> server_count, TimePoint now,
                                            Collect done, std::chrono::milliseconds timeout) {
  const std::string id = request_id();
  const auto wait_for = timeout.count() > 0 ? timeout : options_.requests_timeout;
  if (!wait(server_count, now + wait_for, id, std::move(done))) return;
  if (options_.mode == ClusterMode::Classic) {
    ClassicMessage m{.fields = {{"uid", uid_},
                                {"requestId", id},
                                {"type", static_cast<int>(RequestType::ServerSideEmit)},
                                {"data", args.json}}};
    return publish_classic(channels_.request(), m);
  }
  publish_cluster(MessageType::ServerSideEmit,
                  {json::object{{"requestId", id}, {"packet", args.json}}, args.attachments});
}

void ClusterCore::reply_fetch_sockets(const Requester& to, json::array sockets) {
  if (options_.mode == ClusterMode::Classic)
    return publish_classic(channels_.response(),
                           {{{"requestId", to.request_id}, {"sockets", std::move(sockets)}}, {}});
  publish_cluster(MessageType::FetchSocketsResponse,
                  {json::object{{"requestId", to.request_id}, {"sockets", std::move(sockets)}}, {}},
                  &to.uid);
}

void ClusterCore::reply_server_side_emit(const Requester& to, WireValue answer) {
  if (options_.mode == ClusterMode::Classic) {
    // Published directly on the response channel, as the reference does (lib/index.ts).
    return publish_classic(channels_.response(),
                           {{{"type", static_cast<int>(RequestType::ServerSideEmit)},
                             {"requestId", to.request_id},
                             {"data", std::move(answer.json)}},
                            {}});
  }
  publish_cluster(MessageType::ServerSideEmitResponse,
                  {json::object{{"requestId", to.request_id}, {"packet", std::move(answer.json)}},
                   std::move(answer.attachments)},
                  &to.uid);
}

void ClusterCore::reply_client_count(const Requester& to, std::size_t count) {
  if (options_.mode == ClusterMode::Classic) {
    return publish_classic(channels_.response(),
                           {{{"type", static_cast<int>(RequestType::BroadcastClientCount)},
                             {"requestId", to.request_id},
                             {"clientCount", count}},
                            {}});
  }
  publish_cluster(MessageType::BroadcastClientCount,
                  {json::object{{"requestId", to.request_id}, {"clientCount", count}}, {}},
                  &to.uid);
}

void ClusterCore::reply_broadcast_ack(const Requester& to, WireValue answer) {
  if (options_.mode == ClusterMode::Classic) {
    return publish_classic(channels_.response(),
                           {{{"type", static_cast<int>(RequestType::BroadcastAck)},
                             {"requestId", to.request_id},
                             {"packet", std::move(answer.json)}},
                            std::move(answer.attachments)});
  }
  publish_cluster(MessageType::BroadcastAck,
                  {json::object{{"requestId", to.request_id}, {"packet", std::move(answer.json)}},
                   std::move(answer.attachments)},
                  &to.uid);
}

void ClusterCore::reply_sockets(const Requester& to, const std::vector<std::string>& ids) {
  publish_classic(channels_.response(),
                  {{{"requestId", to.request_id}, {"sockets", rooms_json(ids)}}, {}});
}

void ClusterCore::reply_all_rooms(const Requester& to, const std::vector<std::string>& rooms) {
  publish_classic(channels_.response(),
                  {{{"requestId", to.request_id}, {"rooms", rooms_json(rooms)}}, {}});
}

}  // namespace switchboard::adapter
