#include "cluster_limits.hpp"

#include <cmath>
#include <cstdio>

#include "switchboard/net/runtime.hpp"

namespace switchboard::app {

namespace {

// KEYS: the buckets (hashes {t: tokens, l: last refill, ms}). ARGV: per bucket its burst and
// its rate in tokens per ms. Refills each bucket by Redis' clock; when every bucket has a
// token, takes one of each and answers 0, else answers the wait in ms (taking nothing).
constexpr const char* kTakeScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tokens, wait = {}, 0
for i, key in ipairs(KEYS) do
  local burst, rate = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local v = redis.call('HMGET', key, 't', 'l')
  local have = tonumber(v[1]) or burst
  local last = tonumber(v[2]) or now
  if now > last then have = math.min(burst, have + (now - last) * rate) end
  tokens[i] = have
  if have < 1 then wait = math.max(wait, math.ceil((1 - have) / rate)) end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local burst, rate = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('HSET', key, 't', tostring(tokens[i] - 1), 'l', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst / rate) + 1000)
end
return 0
)lua";

std::string number(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

}  // namespace

struct ClusterLimits::State : std::enable_shared_from_this<State> {
  State(net::Runtime& r, adapter::RedisOptions o, RateLimits& f)
      : runtime(r), shard(r.shard(0)), options(std::move(o)), fallback(f) {}
  net::Runtime& runtime;
  net::Shard& shard;
  adapter::RedisOptions options;
  RateLimits& fallback;
  std::unique_ptr<adapter::RedisClient> redis;  // on shard 0
  bool closed = false;
};

ClusterLimits::ClusterLimits(net::Runtime& runtime, adapter::RedisOptions redis,
                             RateLimits::Options rates, RateLimits& fallback,
                             std::string key_prefix)
    : state_(std::make_shared<State>(runtime, std::move(redis), fallback)),
      rates_(rates),
      prefix_(std::move(key_prefix) + "limit:") {
  state_->shard.post([state = state_] {
    state->redis = std::make_unique<adapter::RedisClient>(state->shard.context(), state->options);
    state->redis->start();
  });
  state_->shard.add_stop_hook([state = state_] { state->closed = true; });
}

ClusterLimits::~ClusterLimits() {
  if (state_->redis) state_->redis->close();
}

void ClusterLimits::run(std::vector<Bucket> buckets,
                        std::function<std::optional<std::chrono::milliseconds>()> fallback,
                        Done done) {
  auto* caller = net::Runtime::current();
  auto answer = [caller, done = std::move(done)](std::optional<std::chrono::milliseconds> wait) {
    if (caller && !caller->is_current()) return caller->post([done, wait] { done(wait); });
    done(wait);
  };
  state_->shard.post([state = state_, buckets = std::move(buckets), fallback = std::move(fallback),
                      answer = std::move(answer)]() mutable {
    if (!state->redis || state->closed) return answer(fallback());
    std::vector<std::string> command{"EVAL", kTakeScript, std::to_string(buckets.size())};
    for (const auto& b : buckets) command.push_back(b.key);
    for (const auto& b : buckets) {
      command.push_back(number(b.rate.burst));
      command.push_back(number(b.rate.per_second / 1000));
    }
    state->redis->command(std::move(command),
                          [fallback = std::move(fallback), answer = std::move(answer)](
                              boost::system::result<adapter::RedisReply> r) {
                            // Redis away or refusing: this node's own buckets decide.
                            if (!r || r->type != adapter::RedisReply::Type::Integer) {
                              return answer(fallback());
                            }
                            if (r->integer <= 0) return answer(std::nullopt);
                            answer(std::chrono::milliseconds(r->integer));
                          });
  });
}

void ClusterLimits::take(std::string name, std::string address, Done done) {
  auto& fallback = state_->fallback;
  run(
      {{prefix_ + "name:" + name, rates_.per_name},
       {prefix_ + "address:" + address, rates_.per_address}},
      [&fallback, name, address] { return fallback.take(name, address); }, std::move(done));
}

void ClusterLimits::take_room(std::string address, Done done) {
  auto& fallback = state_->fallback;
  run(
      {{prefix_ + "rooms:" + address, rates_.rooms_per_address}},
      [&fallback, address] { return fallback.take_room(address); }, std::move(done));
}

void ClusterLimits::take_user(std::string address, Done done) {
  auto& fallback = state_->fallback;
  run(
      {{prefix_ + "users:" + address, rates_.users_per_address}},
      [&fallback, address] { return fallback.take_user(address); }, std::move(done));
}

}  // namespace switchboard::app
