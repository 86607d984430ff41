#include "cluster_presence.hpp"

#include <array>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/net/random.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::app {

namespace json = boost::json;

namespace {

// KEYS[1]: the room's sorted set of nodes (score: when the node's list expires, Redis time in
// ms); KEYS[2]: the prefix of each node's list (a string, JSON, with a TTL).
// ARGV: node id, ttl ms, "set" or "read", this node's list (JSON; "" removes it).
// Returns the live nodes' lists, expired nodes taken out first.
constexpr const char* kScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
if ARGV[3] == 'set' then
  local mine = KEYS[2] .. ARGV[1]
  if ARGV[4] == '' then
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('DEL', mine)
  else
    redis.call('SET', mine, ARGV[4], 'PX', ttl)
    redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
    if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local out = {}
for _, node in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local list = redis.call('GET', KEYS[2] .. node)
  if list then out[#out + 1] = list end
end
return out
)lua";

std::string node_id() {
  std::array<unsigned char, 4> bytes{};
  net::random_bytes(bytes);
  static constexpr char hex[] = "0123456789abcdef";
  std::string id;
  for (auto b : bytes) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

std::string to_text(const ClusterPresence::Online& online) {
  json::array list;
  for (const auto& who : online) {
    list.push_back(json::object{{"k", who.key()}, {"id", who.id}, {"name", who.name}});
  }
  return json::serialize(list);
}

// Adds a node's list (JSON from Redis, hence from a node: read leniently) to `all`.
void merge(std::map<std::string, Author>& all, std::string_view text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_array()) return;
  for (const auto& v : value.get_array()) {
    const auto* o = v.if_object();
    if (!o) continue;
    const auto* name = o->if_contains("name");
    const auto* id = o->if_contains("id");
    if (!name || !name->is_string() || !id) continue;
    Author who{0, std::string(name->get_string())};
    if (id->is_uint64()) who.id = id->get_uint64();
    if (id->is_int64() && id->get_int64() > 0) who.id = static_cast<std::uint64_t>(id->get_int64());
    all.try_emplace(who.key(), std::move(who));
  }
}

bool same(const ClusterPresence::Online& a, const ClusterPresence::Online& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].name != b[i].name) return false;
  }
  return true;
}

}  // namespace

struct ClusterPresence::State : std::enable_shared_from_this<State> {
  State(net::Shard& s, Options o, std::function<void(const std::string&, Online)> c,
        std::function<void(const std::string&)> n)
      : shard(s), options(std::move(o)), changed(std::move(c)), notify(std::move(n)) {}

  net::Shard& shard;
  Options options;
  std::function<void(const std::string&, Online)> changed;
  std::function<void(const std::string&)> notify;
  std::function<std::map<std::string, Online>()> own;
  std::string node = node_id();
  std::unique_ptr<adapter::RedisClient> redis;
  std::unique_ptr<boost::asio::steady_timer> timer;
  /// The union last reported per room (rooms with people on this node).
  std::map<std::string, Online> reported;
  /// Rooms being read again after another node's change; a second change meanwhile reads
  /// once more when it returns.
  std::map<std::string, bool> refreshing;
  bool closed = false;

  // Writes (set) or only reads this node's list of `room`; `then(union)`.
  void run(const std::string& room, bool write, const Online& mine,
           std::function<void(Online)> then) {
    auto fallback = [mine](std::map<std::string, Author> all) {
      for (const auto& who : mine) all.try_emplace(who.key(), who);
      Online out;
      for (auto& [key, who] : all) out.push_back(std::move(who));
      return out;
    };
    if (!redis) return then(fallback({}));
    const auto& p = options.key_prefix;
    redis->command(
        {"EVAL", kScript, "2", p + "presence:" + room, p + "presence:" + room + ":", node,
         std::to_string(options.ttl.count()), write ? "set" : "read",
         mine.empty() ? "" : to_text(mine)},
        [fallback, then = std::move(then)](boost::system::result<adapter::RedisReply> r) {
          std::map<std::string, Author> all;
          // Redis away (or refusing): this node's own list alone, until it answers again.
          if (r && r->type == adapter::RedisReply::Type::Array) {
            for (const auto& list : r->elements) merge(all, list.str);
          }
          then(fallback(std::move(all)));
        });
  }

  void report(const std::string& room, const Online& all, bool here) {
    if (!here) {
      reported.erase(room);
      return;
    }
    auto [it, added] = reported.try_emplace(room, all);
    if (!added && same(it->second, all)) return;
    it->second = all;
    changed(room, all);
  }

  void refresh(const std::string& room) {
    auto [pending, first] = refreshing.try_emplace(room, false);
    if (!first) {
      pending->second = true;  // read again once the pending read returns
      return;
    }
    auto lists = own();
    auto mine = lists.find(room);
    if (closed || mine == lists.end()) {
      refreshing.erase(room);  // nobody here to tell
      return;
    }
    run(room, false, mine->second, [weak = weak_from_this(), room](Online all) {
      auto self = weak.lock();
      if (!self) return;
      self->report(room, all, true);
      bool again = self->refreshing[room];
      self->refreshing.erase(room);
      if (again) self->refresh(room);
    });
  }

  void heartbeat() {
    if (closed) return;
    for (auto& [name, mine] : own()) {
      // A copy: clang 14 captures no structured binding.
      std::string room = name;
      run(room, true, mine, [weak = weak_from_this(), room](Online all) {
        if (auto self = weak.lock()) self->report(room, all, true);
      });
    }
    timer->expires_after(options.ttl / 3);
    timer->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!ec && self) self->heartbeat();
    });
  }
};

ClusterPresence::ClusterPresence(net::Shard& shard, Options options,
                                 std::function<void(const std::string&, Online)> changed,
                                 std::function<void(const std::string&)> notify)
    : state_(std::make_shared<State>(shard, std::move(options), std::move(changed),
                                     std::move(notify))) {}

ClusterPresence::~ClusterPresence() {
  if (state_->redis) state_->redis->close();
}

void ClusterPresence::start(std::function<std::map<std::string, Online>()> own) {
  auto& s = *state_;
  s.own = std::move(own);
  s.redis = std::make_unique<adapter::RedisClient>(s.shard.context(), s.options.redis);
  s.redis->start();
  s.timer = std::make_unique<boost::asio::steady_timer>(s.shard.context());
  s.heartbeat();
  s.shard.add_stop_hook([state = state_] {
    state->closed = true;
    state->timer->cancel();
  });
}

void ClusterPresence::set(const std::string& room, const Online& mine,
                          std::function<void(Online)> then) {
  state_->run(room, true, mine,
              [weak = std::weak_ptr(state_), room, here = !mine.empty(),
               then = std::move(then)](Online all) {
                auto self = weak.lock();
                if (!self) return;
                self->report(room, all, here);
                if (!self->closed) self->notify(room);
                if (then) then(std::move(all));
              });
}

void ClusterPresence::read(const std::string& room, const Online& mine,
                           std::function<void(Online)> then) {
  state_->run(room, false, mine, std::move(then));
}

void ClusterPresence::refresh(const std::string& room) {
  state_->refresh(room);
}

void ClusterPresence::stop() {
  state_->closed = true;
  if (state_->timer) state_->timer->cancel();
}

}  // namespace switchboard::app
