// The chat's History in Redis (`switchboard serve --redis URL`): a stream per room, appended
// and published in one Lua script (docs/decisions/012-redis-history.md).
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>

#include "history.hpp"
#include "redis_scripts.hpp"
#include "switchboard/adapter/channels.hpp"
#include "switchboard/adapter/error.hpp"
#include "switchboard/adapter/msgpack.hpp"
#include "switchboard/adapter/recovery_store.hpp"
#include "switchboard/adapter/redis_client.hpp"
#include "switchboard/log/logger.hpp"
#include "switchboard/store/error.hpp"
#include "switchboard/store/validation.hpp"

namespace switchboard::app {

namespace asio = boost::asio;
using adapter::RedisReply;
using Reply = boost::system::result<RedisReply>;
using ReplyHandler = std::function<void(Reply)>;

namespace {

constexpr std::size_t kMaxRead = 200;
constexpr std::uint64_t kIdSentinel = UINT64_MAX;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

struct Script {
  explicit Script(const char* text) : body(text), sha(sha1_hex(body)) {}
  std::string body;
  std::string sha;
};

Failure failure(store::Errc code, std::string message = {}) {
  const std::error_code ec = make_error_code(code);
  return app::failure_of(ec, message.empty() ? ec.message() : std::move(message));
}

// The failure a reply stands for: none for an answer, Unavailable when Redis is away (or
// refuses: OOM, MISCONF, READONLY), or the script's own error.
Error failure_of(const Reply& r) {
  if (!r) {
    return failure(store::Errc::Unavailable,
                   "the history (Redis) is unavailable: " + r.error().message());
  }
  if (r->type != RedisReply::Type::Error) return std::nullopt;
  const std::string& s = r->str;
  if (s.starts_with("ROOMNOTFOUND")) return failure(store::Errc::RoomNotFound, "no such room");
  if (s.starts_with("USERNOTFOUND")) return failure(store::Errc::UserNotFound, "no such user");
  if (s.starts_with("TOOMANYROOMS")) {
    return failure(store::Errc::TooManyRooms, "the maximum number of rooms is reached");
  }
  return failure(store::Errc::Unavailable, "the history (Redis) refused: " + s);
}

std::uint64_t to_u64(std::string_view s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::int64_t to_i64(std::string_view s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// One XRANGE entry: ["<id>-0", [field, value, ...]].
std::optional<ChatMessage> message_of(const RedisReply& entry, const std::string& room) {
  if (entry.type != RedisReply::Type::Array || entry.elements.size() != 2) return std::nullopt;
  const auto& fields = entry.elements[1].elements;
  ChatMessage m;
  m.room = room;
  const std::string& sid = entry.elements[0].str;
  m.id = to_u64(std::string_view(sid).substr(0, sid.find('-')));
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields[i].str;
    const std::string& value = fields[i + 1].str;
    if (name == "user") m.user = value;
    if (name == "text") m.text = value;
    if (name == "user_id") m.user_id = to_u64(value);
    if (name == "ts") m.ts = to_i64(value);
    if (name == "offset") m.offset = value;
  }
  return m;
}

std::vector<std::string> strings_of(const RedisReply& r) {
  std::vector<std::string> out;
  for (const auto& e : r.elements) out.push_back(e.str);
  return out;
}

// The classic @socket.io/redis-adapter broadcast of `m` to its room, as bytes before and
// after the id (which only the script knows): [uid, {type: 2, data: ["message", {id, room,
// user, user_id, text, ts}], nsp: "/chat"}, {rooms: [room], except: [], flags: {}}].
std::pair<std::string, std::string> encode_around_id(const ChatMessage& m) {
  namespace json = boost::json;
  json::object message{{"id", kIdSentinel},    {"room", m.room}, {"user", m.user},
                       {"user_id", m.user_id}, {"text", m.text}, {"ts", m.ts}};
  json::object packet{{"type", 2}, {"data", json::array{"message", message}}, {"nsp", "/chat"}};
  json::object opts{
      {"rooms", json::array{m.room}}, {"except", json::array{}}, {"flags", json::object{}}};
  std::string bytes =
      adapter::encode_msgpack(json::array{kHistoryPublisherUid, packet, std::move(opts)});
  // "id" as fixstr, then the sentinel as uint 64: the first occurrence is the id (every byte
  // before it is fixed: the uid, "type", 2, "data", "message").
  static const std::string marker = "\xa2id\xcf\xff\xff\xff\xff\xff\xff\xff\xff";
  const auto at = bytes.find(marker);
  return {bytes.substr(0, at + 3), bytes.substr(at + marker.size())};
}

// The same as a recoverable packet (uid ending "+r", the offset last, decision 014): bytes
// before the id, between the id and the offset, after the offset.
std::array<std::string, 3> encode_recoverable(const ChatMessage& m) {
  namespace json = boost::json;
  // A str8 (0xd9, 40) nobody writes: after the message, so its last occurrence is this one.
  static const std::string filler(40, '\x01');
  json::object message{{"id", kIdSentinel},    {"room", m.room}, {"user", m.user},
                       {"user_id", m.user_id}, {"text", m.text}, {"ts", m.ts}};
  json::object packet{
      {"type", 2}, {"data", json::array{"message", message, filler}}, {"nsp", "/chat"}};
  json::object opts{
      {"rooms", json::array{m.room}}, {"except", json::array{}}, {"flags", json::object{}}};
  std::string bytes = adapter::encode_msgpack(
      json::array{std::string(kHistoryPublisherUid) + "+r", packet, std::move(opts)});
  static const std::string id_marker = "\xa2id\xcf\xff\xff\xff\xff\xff\xff\xff\xff";
  const std::string offset_marker = "\xd9\x28" + filler;
  const auto id_at = bytes.find(id_marker);
  const auto offset_at = bytes.rfind(offset_marker);
  return {bytes.substr(0, id_at + 3),
          bytes.substr(id_at + id_marker.size(), offset_at - id_at - id_marker.size()),
          bytes.substr(offset_at + offset_marker.size())};
}

class RedisHistory final : public History {
 public:
  RedisHistory(RedisHistoryOptions options, adapter::RedisOptions redis)
      : options_(std::move(options)),
        channels_(options_.channel_key, "/chat"),
        work_(context_.get_executor()),
        redis_(std::make_unique<adapter::RedisClient>(context_, std::move(redis))) {
    asio::post(context_, [this] { redis_->start(); });
    thread_ = std::thread([this] { context_.run(); });
  }

  ~RedisHistory() override { close(); }

  void close() override {
    if (!thread_.joinable()) return;
    // Fails what is waiting for Redis on the history's thread, whose callbacks then run.
    asio::post(context_, [this] {
      redis_->close();
      context_.stop();
    });
    work_.reset();
    thread_.join();
  }

  bool publishes_appends() const override { return true; }

  void when_ready(std::function<void()> fn) override {
    asio::post(context_, [this, fn = std::move(fn)]() mutable { ping_until_ready(std::move(fn)); });
  }

  /// True once Redis answers a PING (waits at most `limit`).
  bool wait_connected(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto answered = std::make_shared<std::promise<bool>>();
      auto future = answered->get_future();
      asio::post(context_, [this, answered] {
        redis_->command({"PING"}, [answered](Reply r) {
          answered->set_value(r && r->type != RedisReply::Type::Error);
        });
      });
      if (future.wait_for(limit) == std::future_status::ready && future.get()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  void append(std::string room, Author author, std::string text,
              std::function<void(Error, ChatMessage)> done) override {
    if (!store::valid_room_name(room)) return done(failure(store::Errc::InvalidRoomName), {});
    auto name = store::normalize_name(author.name);
    if (!name) return done(failure(store::Errc::InvalidName, "invalid name"), {});
    if (auto ec = store::validate_text(text)) return done(app::failure_of(ec, ec.message()), {});
    ChatMessage m{0, std::move(room), std::move(*name), std::move(text), now_ms(), author.id, {}};
    std::vector<std::string> keys{rooms_key(), seq_key(m.room), stream_key(m.room)};
    std::vector<std::string> args{m.room,
                                  std::to_string(options_.max_messages_per_room),
                                  m.user,
                                  std::to_string(m.user_id),
                                  m.text,
                                  std::to_string(m.ts),
                                  channels_.room(m.room)};
    const bool recoverable = options_.recovery_max_packets > 0;
    if (recoverable) {
      keys.push_back(adapter::RecoveryKeys(options_.channel_key, "/chat").stream);
      for (auto& part : encode_recoverable(m)) args.push_back(std::move(part));
      args.push_back(std::to_string(options_.recovery_max_packets));
    } else {
      auto [prefix, suffix] = encode_around_id(m);
      args.push_back(std::move(prefix));
      args.push_back(std::move(suffix));
    }
    eval(recoverable ? append_recoverable_ : append_, std::move(keys), std::move(args),
         [m = std::move(m), done = std::move(done)](Reply r) mutable {
           if (auto f = failure_of(r)) return done(f, {});
           m.id = static_cast<std::uint64_t>(r->integer);
           done(std::nullopt, std::move(m));
         });
  }

  void create_user(std::string name, std::string token_hash,
                   std::function<void(Error, Author)> done) override {
    auto normal = store::normalize_name(name);
    if (!normal) return done(failure(store::Errc::InvalidName, "invalid name"), {});
    eval(create_user_, {key("users:seq"), key("users:tokens"), key("users:names")},
         {std::move(token_hash), *normal}, [name = *normal, done = std::move(done)](Reply r) {
           if (auto f = failure_of(r)) return done(f, {});
           done(std::nullopt, Author{static_cast<std::uint64_t>(r->integer), name});
         });
  }

  void rename_user(std::uint64_t id, std::string name,
                   std::function<void(Error, Author)> done) override {
    auto normal = store::normalize_name(name);
    if (!normal) return done(failure(store::Errc::InvalidName, "invalid name"), {});
    eval(rename_user_, {key("users:names")}, {std::to_string(id), *normal},
         [id, name = *normal, done = std::move(done)](Reply r) {
           if (auto f = failure_of(r)) return done(f, {});
           done(std::nullopt, Author{id, name});
         });
  }

  void find_user(std::string token_hash, std::function<void(Error, Author)> done) override {
    eval(find_user_, {key("users:tokens"), key("users:names")}, {std::move(token_hash)},
         [done = std::move(done)](Reply r) {
           if (auto f = failure_of(r)) return done(f, {});
           if (r->elements.size() != 2) {
             return done(failure(store::Errc::Unavailable, "unexpected reply from Redis"), {});
           }
           done(std::nullopt,
                Author{static_cast<std::uint64_t>(r->elements[0].integer), r->elements[1].str});
         });
  }

  void recent(std::string room, std::uint64_t before, std::size_t limit,
              MessagesCallback done) override {
    if (!store::valid_room_name(room)) return done(failure(store::Errc::InvalidRoomName), {});
    if (before == 1) return done(std::nullopt, {});
    // Stream ids are "<id>-0": before id B ends at (B-1)-0.
    std::string end = before == 0 ? "+" : std::to_string(before - 1) + "-0";
    command({"XREVRANGE", stream_key(room), std::move(end), "-", "COUNT",
             std::to_string(std::clamp<std::size_t>(limit, 1, kMaxRead))},
            [room, done = std::move(done)](Reply r) {
              if (auto f = failure_of(r)) return done(f, {});
              auto list = messages_of(*r, room);
              std::reverse(list.begin(), list.end());
              done(std::nullopt, std::move(list));
            });
  }

  void after(std::string room, std::uint64_t after, std::size_t limit,
             MessagesCallback done) override {
    if (!store::valid_room_name(room)) return done(failure(store::Errc::InvalidRoomName), {});
    // After id A starts at A-1: past "<A>-0", before "<A+1>-0".
    command({"XRANGE", stream_key(room), std::to_string(after) + "-1", "+", "COUNT",
             std::to_string(std::clamp<std::size_t>(limit, 1, kMaxRead))},
            [room, done = std::move(done)](Reply r) {
              if (auto f = failure_of(r)) return done(f, {});
              done(std::nullopt, messages_of(*r, room));
            });
  }

  void rooms(std::function<void(Error, std::vector<std::string>)> done) override {
    command({"HKEYS", rooms_key()}, [done = std::move(done)](Reply r) {
      if (auto f = failure_of(r)) return done(f, {});
      auto names = strings_of(*r);
      std::sort(names.begin(), names.end());
      done(std::nullopt, std::move(names));
    });
  }

  void ensure_room(std::string room, std::function<void(Error)> done) override {
    if (!store::valid_room_name(room)) return done(failure(store::Errc::InvalidRoomName));
    eval(ensure_room_, {rooms_key()},
         {room, std::to_string(options_.max_rooms), std::to_string(now_ms())},
         [done = std::move(done)](Reply r) { done(failure_of(r)); });
  }

  void find_room(std::string room, std::function<void(Error)> done) override {
    if (!store::valid_room_name(room)) return done(failure(store::Errc::InvalidRoomName));
    command({"HEXISTS", rooms_key(), room}, [done = std::move(done)](Reply r) {
      if (auto f = failure_of(r)) return done(f);
      done(r->integer == 1 ? Error() : failure(store::Errc::RoomNotFound, "no such room"));
    });
  }

  void delete_room(std::string room, bool only_if_empty,
                   std::function<void(Error, bool)> done) override {
    if (!store::valid_room_name(room)) {
      return done(failure(store::Errc::InvalidRoomName), false);
    }
    eval(delete_room_, {rooms_key(), stream_key(room)}, {room, only_if_empty ? "1" : "0"},
         [done = std::move(done)](Reply r) {
           if (auto f = failure_of(r)) return done(f, false);
           done(std::nullopt, r->integer == 1);
         });
  }

  void empty_rooms(std::int64_t created_before_ms,
                   std::function<void(Error, std::vector<std::string>)> done) override {
    eval(empty_rooms_, {rooms_key()},
         {std::to_string(created_before_ms), key("room:"), ":messages"},
         [done = std::move(done)](Reply r) {
           if (auto f = failure_of(r)) return done(f, {});
           done(std::nullopt, strings_of(*r));
         });
  }

 private:
  static std::vector<ChatMessage> messages_of(const RedisReply& r, const std::string& room) {
    std::vector<ChatMessage> out;
    for (const auto& entry : r.elements) {
      if (auto m = message_of(entry, room)) out.push_back(std::move(*m));
    }
    return out;
  }

  std::string key(std::string_view name) const { return options_.key_prefix + std::string(name); }
  std::string rooms_key() const { return key("rooms"); }
  std::string seq_key(const std::string& room) const { return key("room:" + room + ":seq"); }
  std::string stream_key(const std::string& room) const {
    return key("room:" + room + ":messages");
  }

  // Sends on the history's thread; `done` runs there.
  void command(std::vector<std::string> args, ReplyHandler done) {
    asio::post(context_, [this, args = std::move(args), done = std::move(done)]() mutable {
      redis_->command(std::move(args), with_deadline(std::move(done)));
    });
  }

  // `done`, called once: with the reply, or with RequestTimeout when none came in time.
  ReplyHandler with_deadline(ReplyHandler done) {
    struct Pending {
      ReplyHandler done;
      asio::steady_timer timer;
      void finish(Reply r) {
        if (!done) return;
        timer.cancel();
        auto call = std::move(done);
        done = nullptr;
        call(std::move(r));
      }
    };
    auto pending = std::make_shared<Pending>(
        Pending{std::move(done), asio::steady_timer(context_, options_.command_timeout)});
    pending->timer.async_wait([pending](boost::system::error_code ec) {
      if (!ec) pending->finish(make_error_code(adapter::Error::RequestTimeout));
    });
    return [pending](Reply r) { pending->finish(std::move(r)); };
  }

  // EVALSHA, and EVAL when Redis does not know the script (first use, or after a restart,
  // which empties its script cache).
  void eval(const Script& script, std::vector<std::string> keys, std::vector<std::string> args,
            ReplyHandler done) {
    std::vector<std::string> cmd{"EVALSHA", script.sha, std::to_string(keys.size())};
    for (auto& k : keys) cmd.push_back(std::move(k));
    for (auto& a : args) cmd.push_back(std::move(a));
    asio::post(context_, [this, &script, cmd = std::move(cmd), done = std::move(done)]() mutable {
      done = with_deadline(std::move(done));
      auto again = cmd;
      redis_->command(std::move(cmd), [this, &script, again = std::move(again),
                                       done = std::move(done)](Reply r) mutable {
        if (r && r->type == RedisReply::Type::Error && r->str.starts_with("NOSCRIPT")) {
          again[0] = "EVAL";
          again[1] = script.body;
          return redis_->command(std::move(again), std::move(done));
        }
        done(std::move(r));
      });
    });
  }

  const RedisHistoryOptions options_;
  const adapter::Channels channels_;
  const Script append_{redis_scripts::kAppend};
  const Script append_recoverable_{redis_scripts::kAppendRecoverable};
  const Script ensure_room_{redis_scripts::kEnsureRoom};
  const Script delete_room_{redis_scripts::kDeleteRoom};
  const Script empty_rooms_{redis_scripts::kEmptyRooms};
  const Script create_user_{redis_scripts::kCreateUser};
  const Script rename_user_{redis_scripts::kRenameUser};
  const Script find_user_{redis_scripts::kFindUser};
  // On the history's thread: PINGs every 20 ms until Redis answers, then runs `fn`. A close
  // stops the context, and the waiting timer goes with `fn` unrun.
  void ping_until_ready(std::function<void()> fn) {
    redis_->command({"PING"}, [this, fn = std::move(fn)](Reply r) mutable {
      if (r && r->type != RedisReply::Type::Error) return fn();
      auto timer = std::make_shared<asio::steady_timer>(context_, std::chrono::milliseconds(20));
      timer->async_wait([this, timer, fn = std::move(fn)](boost::system::error_code ec) mutable {
        if (!ec) ping_until_ready(std::move(fn));
      });
    });
  }

  asio::io_context context_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<adapter::RedisClient> redis_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<History> History::open_redis(const RedisHistoryOptions& options,
                                             std::string& error) {
  auto redis = adapter::parse_redis_url(options.url);
  if (!redis) {
    // Not echoed: it may hold a password.
    error = "malformed Redis URL (redis://[[USER]:PASSWORD@]HOST[:PORT][/DB])";
    return nullptr;
  }
  auto history = std::make_unique<RedisHistory>(options, *redis);
  if (!history->wait_connected(std::chrono::seconds(2))) {
    // The host and port only: the URL may hold a password.
    log::warn("Redis does not answer yet; posting fails with 503 until it does",
              {{"redis_host", redis->host}, {"redis_port", redis->port}});
  }
  return history;
}

}  // namespace switchboard::app
