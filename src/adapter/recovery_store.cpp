#include "switchboard/adapter/recovery_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/adapter/messages.hpp"
#include "switchboard/net/random.hpp"

namespace switchboard::adapter {
namespace json = boost::json;

RecoveryKeys::RecoveryKeys(std::string_view key, std::string_view nsp) {
  std::string base = std::string(key) + "#" + std::string(nsp) + "#";
  stream = base + "recovery";
  session_prefix_ = base + "session#";
}

std::string RecoveryKeys::session(std::string_view pid) const {
  return session_prefix_ + std::string(pid);
}

std::optional<OffsetTemplate> split_at_marker(std::string_view payload, std::string_view marker) {
  auto at = payload.find(marker);
  if (marker.empty() || at == std::string_view::npos || at == 0 ||
      payload.find(marker, at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const auto end = at + marker.size();
  if (payload[at - 1] == '"' && end < payload.size() && payload[end] == '"') {
    return OffsetTemplate{std::string(payload.substr(0, at)), std::string(payload.substr(end)),
                          'j'};
  }
  // msgpack: the marker's header goes too (fixstr, or str8 with its length byte).
  const auto n = static_cast<unsigned char>(marker.size());
  std::size_t header = 0;
  if (n < 32 && static_cast<unsigned char>(payload[at - 1]) == (0xa0 | n)) {
    header = 1;
  } else if (at >= 2 && static_cast<unsigned char>(payload[at - 2]) == 0xd9 &&
             static_cast<unsigned char>(payload[at - 1]) == n) {
    header = 2;
  }
  if (header == 0) return std::nullopt;
  return OffsetTemplate{std::string(payload.substr(0, at - header)),
                        std::string(payload.substr(end)), 'm'};
}

std::string fill_offset(const OffsetTemplate& t, std::string_view offset) {
  std::string out = t.prefix;
  if (t.form == 'm') {
    out += static_cast<char>(0xd9);  // str8: any offset's length fits (Redis ids < 42)
    out += static_cast<char>(offset.size());
  }
  out += offset;
  out += t.suffix;
  return out;
}

namespace {

// A string no argument holds: where the offset goes in the published bytes.
std::string make_marker() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[16];
  net::random_bytes(bytes);
  std::string marker(16, 'A');
  for (std::size_t i = 0; i < marker.size(); ++i) marker[i] = kAlphabet[bytes[i] % 62];
  return marker;
}

}  // namespace

std::optional<RecoverableMessage> recoverable_message(ClusterMode mode, const Channels& channels,
                                                      std::string_view uid, std::string_view nsp,
                                                      const socketio::Target& target,
                                                      std::string_view event,
                                                      const socketio::Args& args) {
  const auto marker = make_marker();
  json::array data{json::value(event)};
  for (const auto& v : args.values) data.push_back(v);
  data.emplace_back(marker);
  auto wire = wire_from_value(std::move(data));
  socketio::Packet packet{.type = socketio::PacketType::Event, .nsp = std::string(nsp)};
  packet.data = std::move(wire.json);
  packet.attachments = std::move(wire.attachments);
  BroadcastOptions opts{.rooms = {target.rooms.begin(), target.rooms.end()},
                        .except = {target.except.begin(), target.except.end()},
                        .flags = {}};
  if (!target.compress) opts.flags["compress"] = false;
  const std::string from = std::string(uid) + std::string(kRecoverableUidSuffix);
  RecoverableMessage out;
  std::string payload;
  if (mode == ClusterMode::Classic) {
    out.channel = channels.classic_broadcast(opts);
    payload = encode_broadcast({from, std::move(packet), opts});
  } else {
    WireValue w = packet_to_wire(packet, false);
    ClusterMessage m{.uid = from,
                     .nsp = std::string(nsp),
                     .type = MessageType::Broadcast,
                     .data = {json::object{{"packet", std::move(w.json)}, {"opts", to_json(opts)}},
                              std::move(w.attachments)}};
    // Always the main channel, which every node holds: a room channel is subscribed to only
    // once a socket of the node is in the room, and a recovering socket would miss what is
    // published to it between the stream read and that subscription.
    out.channel = channels.main();
    payload = encode_cluster(m);
  }
  auto t = split_at_marker(payload, marker);
  if (!t) return std::nullopt;
  out.message = std::move(*t);
  return out;
}

// The scripts run atomically in Redis: a packet is in the stream exactly when it was
// published, and every subscriber receives the publications in the stream's order.
const char* const kAppendScript = R"(
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
                      'a', ARGV[2], 'b', ARGV[3], 'f', ARGV[4])
local v = id
if ARGV[4] == 'm' then v = string.char(217, #id) .. id end
redis.call(ARGV[5], ARGV[6], ARGV[2] .. v .. ARGV[3])
return id
)";

const char* const kPersistScript = R"(
local owner = redis.call('HGET', KEYS[1], 'owner')
if ARGV[5] ~= 'claim' and owner and owner ~= ARGV[1] then return 0 end
local start = ARGV[4]
if start == '' then start = redis.call('HGET', KEYS[1], 'start') or '' end
if start == '' then
  local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
  if last[1] then start = last[1][1] else start = '0-0' end
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'session', ARGV[2], 'start', start)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
)";

const char* const kForgetScript = R"(
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
)";

const char* const kTakeScript = R"(
local v = redis.call('HMGET', KEYS[1], 'session', 'start')
redis.call('DEL', KEYS[1])
return v
)";

// Entries after `after` are all there when nothing was ever trimmed, or when the oldest kept
// entry is not after it (trimming only takes the oldest).
const char* const kMissedScript = R"(
local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as <= bs)
end
if redis.call('EXISTS', KEYS[1]) == 0 then return {1, {}} end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local length, added, first
for i = 1, #info, 2 do
  if info[i] == 'length' then length = info[i + 1]
  elseif info[i] == 'entries-added' then added = info[i + 1]
  elseif info[i] == 'first-entry' then first = info[i + 1] end
end
if added ~= length and not (first and before(first[1], ARGV[1])) then return {0} end
local from = '(' .. ARGV[1]
if ARGV[1] == '0-0' then from = '-' end
return {1, redis.call('XRANGE', KEYS[1], from, '+')}
)";

std::string encode_session(const socketio::SessionState& session) {
  json::array rooms;
  for (const auto& r : session.rooms) rooms.emplace_back(r);
  return json::serialize(json::object{{"sid", session.sid},
                                      {"pid", session.pid},
                                      {"rooms", std::move(rooms)},
                                      {"data", session.data}});
}

std::optional<socketio::SessionState> session_from_reply(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::Array || reply.elements.size() != 2 ||
      reply.elements[0].type != RedisReply::Type::String) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto v = json::parse(reply.elements[0].str, ec);
  const auto* o = ec ? nullptr : v.if_object();
  if (!o) return std::nullopt;
  const auto* sid = o->if_contains("sid");
  const auto* pid = o->if_contains("pid");
  const auto* rooms = o->if_contains("rooms");
  if (!sid || !sid->is_string() || !pid || !pid->is_string() || !rooms || !rooms->is_array()) {
    return std::nullopt;
  }
  socketio::SessionState s{.sid = std::string(sid->get_string()),
                           .pid = std::string(pid->get_string())};
  for (const auto& r : rooms->get_array()) {
    if (r.is_string()) s.rooms.emplace(r.get_string());
  }
  if (const auto* data = o->if_contains("data")) s.data = *data;
  if (reply.elements[1].type == RedisReply::Type::String) s.start = reply.elements[1].str;
  return s;
}

std::optional<std::vector<KeptEntry>> entries_from_reply(const RedisReply& reply) {
  using Type = RedisReply::Type;
  if (reply.type != Type::Array || reply.elements.empty() ||
      reply.elements[0].type != Type::Integer || reply.elements[0].integer != 1 ||
      reply.elements.size() != 2 || reply.elements[1].type != Type::Array) {
    return std::nullopt;
  }
  std::vector<KeptEntry> out;
  for (const auto& e : reply.elements[1].elements) {
    // [id, [field, value, ...]]
    if (e.type != Type::Array || e.elements.size() != 2 || e.elements[0].type != Type::String ||
        e.elements[1].type != Type::Array) {
      return std::nullopt;
    }
    KeptEntry entry{.id = e.elements[0].str};
    const auto& fields = e.elements[1].elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      const auto& name = fields[i].str;
      const auto& value = fields[i + 1].str;
      if (name == "a") entry.message.prefix = value;
      if (name == "b") entry.message.suffix = value;
      if (name == "f" && value.size() == 1) entry.message.form = value[0];
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::optional<socketio::MissedPacket> missed_packet(ClusterMode mode, std::string_view nsp,
                                                    const KeptEntry& entry) {
  const auto bytes = fill_offset(entry.message, entry.id);
  socketio::Packet packet;
  BroadcastOptions opts;
  if (mode == ClusterMode::Classic) {
    auto m = decode_broadcast(bytes);
    if (!m) return std::nullopt;
    packet = std::move(m->packet);
    opts = std::move(m->opts);
  } else {
    auto m = decode_cluster(bytes);
    const auto* data = m ? m->data.json.if_object() : nullptr;
    const auto* p = data ? data->if_contains("packet") : nullptr;
    const auto* o = data ? data->if_contains("opts") : nullptr;
    if (!p || !o) return std::nullopt;
    auto decoded = packet_from_wire(*p, std::move(m->data.attachments));
    auto options = broadcast_options_from(*o);
    if (!decoded || !options) return std::nullopt;
    packet = std::move(*decoded);
    packet.nsp = m->nsp;  // the sharded packet has no nsp of its own
    opts = std::move(*options);
  }
  if (packet.nsp != nsp) return std::nullopt;
  auto value = value_from_wire({std::move(packet.data), std::move(packet.attachments)});
  auto* array = value.if_array();
  if (!array || array->empty() || !array->front().is_string()) return std::nullopt;
  // Member by member: GCC 12 at -O1 takes the nested designated initialiser's sets for
  // uninitialised (-Wmaybe-uninitialized).
  std::optional<socketio::MissedPacket> m(std::in_place);
  m->offset = entry.id;
  m->target.rooms.insert(opts.rooms.begin(), opts.rooms.end());
  m->target.except.insert(opts.except.begin(), opts.except.end());
  m->event = std::string(array->front().get_string());
  m->args.values = json::array(array->begin() + 1, array->end());
  return m;
}

}  // namespace switchboard::adapter
