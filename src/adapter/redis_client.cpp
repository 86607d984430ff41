#include "switchboard/adapter/redis_client.hpp"

#include <algorithm>
#include <deque>
#include <optional>

#include <boost/asio/steady_timer.hpp>

#include "adapter/redis_connection.hpp"
#include "switchboard/adapter/error.hpp"
#include "switchboard/metrics/cells.hpp"

namespace switchboard::adapter {

namespace asio = boost::asio;

namespace {

const char* subscribe_command(Subscription kind) {
  switch (kind) {
    case Subscription::Channel:
      return "SUBSCRIBE";
    case Subscription::Pattern:
      return "PSUBSCRIBE";
    case Subscription::Shard:
      return "SSUBSCRIBE";
  }
  return "SUBSCRIBE";
}

const char* unsubscribe_command(Subscription kind) {
  switch (kind) {
    case Subscription::Channel:
      return "UNSUBSCRIBE";
    case Subscription::Pattern:
      return "PUNSUBSCRIBE";
    case Subscription::Shard:
      return "SUNSUBSCRIBE";
  }
  return "UNSUBSCRIBE";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

namespace {

// %XX sequences decoded; nullopt for a malformed one.
std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hex(text[i + 1]);
    const int lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Decimal digits only, at most `max`.
std::optional<unsigned> decimal(std::string_view digits, unsigned max) {
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n > max) return std::nullopt;
  return static_cast<unsigned>(n);
}

}  // namespace

boost::system::result<RedisOptions> parse_redis_url(std::string_view url) {
  const auto bad = make_error_code(Error::MalformedMessage);
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) return bad;
  url.remove_prefix(scheme.size());
  RedisOptions options;
  // [[USER]:PASSWORD@]: the last '@' ends it (a password may hold an unencoded '@').
  if (const auto at = url.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = url.substr(0, at);
    url.remove_prefix(at + 1);
    const auto colon = userinfo.find(':');
    auto user = percent_decoded(userinfo.substr(0, colon));
    auto password = percent_decoded(colon == std::string_view::npos ? std::string_view()
                                                                    : userinfo.substr(colon + 1));
    if (!user || !password) return bad;
    options.username = std::move(*user);
    options.password = std::move(*password);
    // A user without a password ("redis://user@host", as Node's clients read it) cannot AUTH.
    if (options.password.empty()) return bad;
  }
  // [/DB]
  if (const auto slash = url.find('/'); slash != std::string_view::npos) {
    const auto path = url.substr(slash + 1);
    url = url.substr(0, slash);
    if (!path.empty()) {
      auto db = decimal(path, 1u << 20);
      if (!db) return bad;
      options.database = *db;
    }
  }
  const auto colon = url.rfind(':');
  if (colon == std::string_view::npos || url.ends_with(']')) {
    options.host = std::string(url);
  } else {
    options.host = std::string(url.substr(0, colon));
    auto port = decimal(url.substr(colon + 1), 65535);
    if (!port || *port == 0) return bad;
    options.port = static_cast<std::uint16_t>(*port);
  }
  if (options.host.size() > 2 && options.host.front() == '[' && options.host.back() == ']')
    options.host = options.host.substr(1, options.host.size() - 2);
  if (options.host.empty()) return bad;
  return options;
}

class RedisClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& context, RedisOptions options)
      : context_(context), options_(std::move(options)), ping_(context) {}

  void start() {
    if (started_ || closed_) return;
    started_ = true;
    std::weak_ptr<Impl> weak = weak_from_this();
    commands_ = std::make_shared<detail::RedisConnection>(
        context_, options_,
        detail::RedisConnection::Events{.on_connected =
                                            [weak] {
                                              if (auto self = weak.lock())
                                                self->commands_connected();
                                            },
                                        .on_lost =
                                            [weak](const std::string& why) {
                                              if (auto self = weak.lock()) self->commands_lost(why);
                                            },
                                        .on_reply =
                                            [weak](RedisReply reply) {
                                              if (auto self = weak.lock())
                                                self->command_reply(std::move(reply));
                                            }});
    subscriber_ = std::make_shared<detail::RedisConnection>(
        context_, options_,
        detail::RedisConnection::Events{.on_connected =
                                            [weak] {
                                              if (auto self = weak.lock())
                                                self->subscriber_connected();
                                            },
                                        .on_lost =
                                            [weak](const std::string& why) {
                                              if (auto self = weak.lock())
                                                self->subscriber_lost(why);
                                            },
                                        .on_reply =
                                            [weak](RedisReply reply) {
                                              if (auto self = weak.lock())
                                                self->subscriber_reply(std::move(reply));
                                            }});
    commands_->start();
    subscriber_->start();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    ping_.cancel();
    if (commands_) commands_->close();
    if (subscriber_) subscriber_->close();
    health_.connected = health_.subscribed = false;
    fail_waiting(Error::Closed);
  }

  void command(std::vector<std::string> args, ReplyHandler handler) {
    if (closed_ || !commands_ || !commands_->connected()) {
      if (!closed_) metrics::add(metrics::Stat::RedisErrors);
      if (handler) handler(make_error_code(closed_ ? Error::Closed : Error::RedisUnavailable));
      return;
    }
    waiting_.push_back(std::move(handler));
    sent_at_.push_back(std::chrono::steady_clock::now());
    metrics::add(metrics::Stat::RedisCommands);
    commands_->send(args);
  }

  void subscribe(Subscription kind, std::string name) {
    for (const auto& s : subs_) {
      if (s.kind == kind && s.name == name) return;
    }
    subs_.push_back({kind, name, false});
    health_.subscribed = false;
    if (subscriber_ && subscriber_->connected())
      subscriber_->send({subscribe_command(kind), std::move(name)});
  }

  void unsubscribe(Subscription kind, const std::string& name) {
    const auto it = std::find_if(subs_.begin(), subs_.end(),
                                 [&](const Sub& s) { return s.kind == kind && s.name == name; });
    if (it == subs_.end()) return;
    subs_.erase(it);
    if (subscriber_ && subscriber_->connected())
      subscriber_->send({unsubscribe_command(kind), name});
    update_subscribed();
  }

  MessageHandler on_message;
  std::function<void()> on_subscribed;
  RedisHealth health;

 private:
  struct Sub {
    Subscription kind;
    std::string name;
    bool confirmed;
  };

  void commands_connected() {
    if (commands_ever_) ++health_.reconnects;
    commands_ever_ = true;
    health_.connected = true;
  }
  void commands_lost(const std::string& why) {
    health_.connected = false;
    health_.last_error = why;
    fail_waiting(Error::RedisUnavailable);
  }
  void command_reply(RedisReply reply) {
    if (reply.type == RedisReply::Type::Error) {
      health_.last_error = reply.str;
      metrics::add(metrics::Stat::RedisErrors);
    }
    if (!sent_at_.empty()) {
      metrics::observe(metrics::Histogram::RedisRoundTrip,
                       std::chrono::steady_clock::now() - sent_at_.front());
      sent_at_.pop_front();
    }
    if (waiting_.empty()) return;
    auto handler = std::move(waiting_.front());
    waiting_.pop_front();
    if (handler) handler(std::move(reply));
  }
  void fail_waiting(Error e) {
    auto waiting = std::move(waiting_);
    waiting_.clear();
    sent_at_.clear();
    if (e == Error::RedisUnavailable) metrics::add(metrics::Stat::RedisErrors, waiting.size());
    for (auto& handler : waiting) {
      if (handler) handler(make_error_code(e));
    }
  }

  void subscriber_connected() {
    if (subscriber_ever_) ++health_.reconnects;
    subscriber_ever_ = true;
    ping_outstanding_ = false;
    for (auto& s : subs_) {
      s.confirmed = false;
      subscriber_->send({subscribe_command(s.kind), s.name});
    }
    update_subscribed();
    schedule_ping();
  }
  void subscriber_lost(const std::string& why) {
    health_.subscribed = false;
    health_.last_error = why;
    ping_.cancel();
  }
  void subscriber_reply(RedisReply reply) {
    if (reply.type == RedisReply::Type::Error) {
      health_.last_error = reply.str;
      return;
    }
    if (reply.type == RedisReply::Type::Status) {  // +PONG outside subscribed mode
      ping_outstanding_ = false;
      return;
    }
    if (reply.type != RedisReply::Type::Array || reply.elements.empty()) return;
    auto& e = reply.elements;
    const std::string kind = lower(e[0].str);
    if ((kind == "message" || kind == "smessage") && e.size() >= 3) {
      deliver(e[1].str, e[2].str, {});
    } else if (kind == "pmessage" && e.size() >= 4) {
      deliver(e[2].str, e[3].str, e[1].str);
    } else if ((kind == "subscribe" || kind == "psubscribe" || kind == "ssubscribe") &&
               e.size() >= 2) {
      const Subscription sub = kind[0] == 'p'                     ? Subscription::Pattern
                               : kind[0] == 's' && kind[1] == 's' ? Subscription::Shard
                                                                  : Subscription::Channel;
      for (auto& s : subs_) {
        if (s.kind == sub && s.name == e[1].str) s.confirmed = true;
      }
      update_subscribed();
    } else if (kind == "pong") {
      ping_outstanding_ = false;
    }
  }
  void deliver(const std::string& channel, const std::string& payload, const std::string& pattern) {
    ++health_.messages;
    health_.last_message = std::chrono::steady_clock::now();
    if (on_message) on_message(channel, payload, pattern);
  }
  void update_subscribed() {
    const bool was = health_.subscribed;
    health_.subscribed =
        subscriber_ && subscriber_->connected() &&
        std::all_of(subs_.begin(), subs_.end(), [](const Sub& s) { return s.confirmed; });
    if (health_.subscribed && !was && on_subscribed) on_subscribed();
  }
  void schedule_ping() {
    ping_.expires_after(options_.health_check_interval);
    ping_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_ || !self->subscriber_->connected()) return;
      if (self->ping_outstanding_) {
        self->subscriber_->reset("no answer to PING within the health check interval");
        return;
      }
      self->ping_outstanding_ = true;
      self->subscriber_->send({"PING"});
      self->schedule_ping();
    });
  }

  asio::io_context& context_;
  RedisOptions options_;
  std::shared_ptr<detail::RedisConnection> commands_;
  std::shared_ptr<detail::RedisConnection> subscriber_;
  std::deque<ReplyHandler> waiting_;
  /// When each waiting command was sent (switchboard_redis_round_trip_seconds).
  std::deque<std::chrono::steady_clock::time_point> sent_at_;
  std::vector<Sub> subs_;
  asio::steady_timer ping_;
  RedisHealth& health_ = health;
  bool ping_outstanding_ = false;
  bool commands_ever_ = false;
  bool subscriber_ever_ = false;
  bool started_ = false;
  bool closed_ = false;
};

RedisClient::RedisClient(asio::io_context& context, RedisOptions options)
    : impl_(std::make_shared<Impl>(context, std::move(options))) {}
RedisClient::~RedisClient() {
  impl_->close();
}
void RedisClient::start() {
  impl_->start();
}
void RedisClient::close() {
  impl_->close();
}
void RedisClient::command(std::vector<std::string> args, ReplyHandler handler) {
  impl_->command(std::move(args), std::move(handler));
}
void RedisClient::publish(std::string_view channel, std::string_view payload,
                          ReplyHandler handler) {
  impl_->command({"PUBLISH", std::string(channel), std::string(payload)}, std::move(handler));
}
void RedisClient::spublish(std::string_view channel, std::string_view payload,
                           ReplyHandler handler) {
  impl_->command({"SPUBLISH", std::string(channel), std::string(payload)}, std::move(handler));
}
void RedisClient::subscribe(Subscription kind, std::string name) {
  impl_->subscribe(kind, std::move(name));
}
void RedisClient::unsubscribe(Subscription kind, const std::string& name) {
  impl_->unsubscribe(kind, name);
}
void RedisClient::on_message(MessageHandler handler) {
  impl_->on_message = std::move(handler);
}
void RedisClient::on_subscribed(std::function<void()> handler) {
  impl_->on_subscribed = std::move(handler);
}
const RedisHealth& RedisClient::health() const {
  return impl_->health;
}

}  // namespace switchboard::adapter
