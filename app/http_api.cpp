// The chat over HTTP: REST, Server-Sent Events, long polling, and the web UI.
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "chat_input.hpp"
#include "chat_service.hpp"
#include "origin_policy.hpp"
#include "switchboard/http/static_files.hpp"
#include "switchboard/sse/event_log.hpp"
#include "switchboard/store/validation.hpp"

namespace switchboard::app {

namespace {

namespace json = boost::json;

std::optional<std::uint64_t> id_param(const http::Request& req, std::string_view name) {
  auto value = req.query_param(name);
  if (!value) return std::uint64_t{0};
  return sse::parse_id(*value);
}

}  // namespace

// The API answers pages from other sites only when --allow-origin names them (403 otherwise).
bool ChatService::refuse_foreign_origin(http::Exchange& ex) {
  if (origin_allowed(ex.request(), config_.allowed_origins)) return false;
  ex.respond(http::Response::error(403, "origin not allowed"));
  return true;
}

void ChatService::setup_http() {
  auto& router = http_.router();

  router.get("/api/rooms", [this](http::Exchange ex) {
    if (refuse_foreign_origin(ex)) return;
    auto* shard = &ex.shard();
    history_.rooms([shard, ex](Error err, std::vector<std::string> rooms) mutable {
      on_shard(*shard, [ex, err, rooms = std::move(rooms)]() mutable {
        if (err) return ex.respond(to_response(*err));
        json::array list;
        for (auto& r : rooms) list.push_back(json::object{{"name", r}});
        ex.respond(http::Response::json(200, json::serialize(json::object{{"rooms", list}})));
      });
    });
  });

  router.get("/api/rooms/:room/messages", [this](http::Exchange ex) {
    if (refuse_foreign_origin(ex)) return;
    auto& req = ex.request();
    std::string room(req.param("room"));
    auto before = id_param(req, "before");
    auto limit = id_param(req, "limit");
    if (!store::valid_room_name(room))
      return ex.respond(http::Response::error(404, "no such room"));
    if (!before || !limit)
      return ex.respond(http::Response::error(400, "before and limit are numbers"));
    auto* shard = &ex.shard();
    auto n = std::clamp<std::uint64_t>(*limit ? *limit : 50, 1, 200);
    history_.recent(room, *before, n, [shard, ex](Error err, std::vector<ChatMessage> m) mutable {
      on_shard(*shard, [ex, err, m = std::move(m)]() mutable {
        if (err) return ex.respond(to_response(*err));
        ex.respond(
            http::Response::json(200, json::serialize(json::object{{"messages", to_json(m)}})));
      });
    });
  });

  router.post(
      "/api/rooms/:room/messages",
      [this](http::Exchange ex) {
        if (refuse_foreign_origin(ex)) return;
        auto& req = ex.request();
        if (!is_json_body(req)) {
          return ex.respond(http::Response::error(415, "send Content-Type: application/json"));
        }
        std::string room(req.param("room"));
        if (!store::valid_room_name(room))
          return ex.respond(http::Response::error(404, "no such room"));
        // With a token (Authorization: Bearer): as that user; without: a guest named by "user".
        if (auto token = Users::bearer(req.header("Authorization"))) {
          auto text = parse_user_post(req.body);
          if (!text) return ex.respond(http::Response::error(400, text.error));
          auto* shard = &ex.shard();
          return users_.authenticate(
              *token, [this, shard, ex, room, text = *text](Error error, Author user) mutable {
                on_shard(*shard, [this, ex, room, text, error, user]() mutable {
                  if (error) return ex.respond(to_response(*error));
                  respond_posted(ex, room, user, text);
                });
              });
        }
        auto input = parse_post(req.body);
        if (!input) return ex.respond(http::Response::error(400, input.error));
        respond_posted(ex, room, Author{0, input->user}, input->text);
      },
      {.max_body = 64 * 1024});

  // Registration: {"name"} -> 201 {"id", "name", "token"}. The token is shown once; keep it.
  router.post(
      "/api/users",
      [this](http::Exchange ex) {
        if (refuse_foreign_origin(ex)) return;
        auto& req = ex.request();
        if (!is_json_body(req)) {
          return ex.respond(http::Response::error(415, "send Content-Type: application/json"));
        }
        auto name = parse_registration(req.body);
        if (!name) return ex.respond(http::Response::error(400, name.error));
        take_user(
            proxies_.client_of(req),
            [this, ex, name = *name](std::optional<std::chrono::milliseconds> wait) mutable {
              if (wait) {
                return ex.respond(to_response(
                    Failure{Failure::Kind::Limited, "too many new users; try again later", *wait}));
              }
              auto* shard = &ex.shard();
              users_.create(name, [shard, ex](Error error, Author user, std::string token) mutable {
                on_shard(*shard, [ex, error, user, token]() mutable {
                  if (error) return ex.respond(to_response(*error));
                  ex.respond(http::Response::json(
                      201, json::serialize(json::object{
                               {"id", user.id}, {"name", user.name}, {"token", token}})));
                });
              });
            });
      },
      {.max_body = 4 * 1024});

  router.get("/api/rooms/:room/events", [this](http::Exchange ex) {
    if (refuse_foreign_origin(ex)) return;
    std::string room(ex.request().param("room"));
    // Reading never creates a room (a cross-site <img src=.../events> must not).
    auto address = proxies_.client_of(ex.request());
    with_room(room, false, address, [this, ex, room](Error error) mutable {
      if (error) return ex.respond(to_response(*error));
      open_events(ex, room);
    });
  });

  router.get("/api/rooms/:room/poll", [this](http::Exchange ex) {
    if (refuse_foreign_origin(ex)) return;
    std::string room(ex.request().param("room"));
    auto after = id_param(ex.request(), "after");
    if (!after) return ex.respond(http::Response::error(400, "after must be a message id"));
    auto address = proxies_.client_of(ex.request());
    with_room(room, false, address, [this, ex, room, after = *after](Error error) mutable {
      if (error) return ex.respond(to_response(*error));
      hold_poll(ex, room, after);
    });
  });

  router.get("/*path", http::static_files(config_.web, "index.html", "index.html"));
}

void ChatService::respond_posted(http::Exchange ex, const std::string& room, const Author& author,
                                 const std::string& text) {
  post_message(room, author, text, proxies_.client_of(ex.request()),
               [ex](Error error, ChatMessage m) mutable {
                 if (error) return ex.respond(to_response(*error));
                 ex.respond(http::Response::json(
                     201, json::serialize(json::object{{"message", to_json(m)}})));
               });
}

// Subscribes first, then replays from the store what the client missed (Last-Event-ID), a page
// at a time until the store has no more, holding live events meanwhile, so nothing is lost or
// repeated across the seam however much was missed.
void ChatService::open_events(http::Exchange ex, const std::string& room) {
  auto last = sse::last_event_id(ex.request());
  auto sub = std::make_shared<SseSubscriber>(sse_transport_);
  sub->room = room;
  sub->stream = sse::Stream::open(ex);
  chat_.join(sub, room);
  activity_.enter(room);
  // The stream is the subscriber's: a weak reference breaks the cycle.
  sub->stream->on_close([this, room, weak = std::weak_ptr<SseSubscriber>(sub)] {
    if (auto sub = weak.lock()) chat_.leave(*sub);
    activity_.exit(room);
  });
  auto from = last ? sse::parse_id(*last) : std::nullopt;
  if (!from) return;
  sub->replaying = true;
  sub->last_sent = *from;
  replay_events(sub, &ex.shard());
}

void ChatService::replay_events(const std::shared_ptr<SseSubscriber>& sub, net::Shard* shard) {
  constexpr std::size_t page = 200;
  history_.after(
      sub->room, sub->last_sent, page,
      [this, shard, sub](Error error, std::vector<ChatMessage> missed) {
        on_shard(*shard, [this, shard, sub, error, missed = std::move(missed)] {
          if (error) {
            // The history did not answer (Redis away): going live here would skip what was
            // missed. The stream ends; the client comes back with the same Last-Event-ID.
            sub->held.clear();
            return sub->stream->close();
          }
          for (const auto& m : missed) {
            sub->stream->send(
                {.data = to_json_text(m), .event = "message", .id = std::to_string(m.id)});
            sub->last_sent = std::max(sub->last_sent, m.id);
          }
          // A full page: the store may have more (live ones wait in `held`).
          if (missed.size() == page && sub->stream->is_open()) {
            return replay_events(sub, shard);
          }
          for (auto& [id, bytes] : sub->held) {
            if (id > sub->last_sent) {
              sub->last_sent = id;
              sub->stream->write(*bytes);
            }
          }
          sub->held.clear();
          sub->replaying = false;
        });
      });
}

// Registers the waiter, then reads what it missed from the store. Live messages wait until
// that read is back: the store answers in commit order, so a message committed before the
// read is in it, and one committed after reaches the waiter live.
void ChatService::hold_poll(http::Exchange ex, const std::string& room, std::uint64_t after) {
  auto waiter = std::make_shared<PollWaiter>(poll_transport_, ex, after);
  chat_.join(waiter, room);
  activity_.enter(room);
  waiter->listen_for_stop(ex.shard());
  // Does something once at most (the answer, the timeout, the client's going away or the
  // server's stopping).
  std::weak_ptr<PollWaiter> weak = waiter;
  auto forget = [this, room, weak] {
    auto waiter = weak.lock();
    if (!waiter || !waiter->joined) return;
    waiter->joined = false;
    waiter->stop_listening();
    waiter->counted.close();
    chat_.leave(*waiter);
    activity_.exit(room);
  };
  waiter->forget = forget;
  ex.on_close(forget);
  auto timer = std::make_shared<boost::asio::steady_timer>(ex.shard().context());
  timer->expires_after(std::chrono::milliseconds(config_.poll_timeout_ms));
  timer->async_wait([waiter, forget](boost::system::error_code ec) {
    if (ec || waiter->answered) return;
    waiter->answered = true;
    waiter->exchange.respond(http::Response::empty(204));
    forget();
  });
  auto* shard = &ex.shard();
  history_.after(room, after, 100,
                 [this, shard, waiter, forget, timer](Error error, std::vector<ChatMessage> m) {
                   on_shard(*shard, [this, waiter, forget, timer, error, m = std::move(m)] {
                     waiter->reading = false;
                     auto held = std::exchange(waiter->held, {});
                     if (waiter->answered) return;
                     if (error) {
                       // The history did not answer: answering with what came live would
                       // skip what was missed. 503; the client polls again from `after`.
                       waiter->answered = true;
                       waiter->exchange.respond(to_response(*error));
                     } else if (!m.empty()) {
                       answer_poll(*waiter, m);
                     } else if (!held.empty()) {
                       // Live while reading and not in the read (a Redis history's publish
                       // can overtake the read's answer): answered from what was held.
                       waiter->answer_held(held);
                     } else {
                       return;
                     }
                     timer->cancel();
                     forget();
                   });
                 });
}

void ChatService::answer_poll(PollWaiter& waiter, const std::vector<ChatMessage>& messages) {
  waiter.answered = true;
  waiter.exchange.respond(
      http::Response::json(200, json::serialize(json::object{{"messages", to_json(messages)},
                                                             {"last_id", messages.back().id}})));
}

}  // namespace switchboard::app
