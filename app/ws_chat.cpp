// The chat over plain WebSocket, Django Channels style: ws/chat/<room>/ ; the client sends
// {"message": "..."} and receives {"message", "user", "id", "ts", "room"}.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "chat_service.hpp"
#include "rate_limiter.hpp"
#include "switchboard/store/validation.hpp"
#include "switchboard/ws/endpoint.hpp"

namespace switchboard::app {

namespace {

std::string error_text(std::string_view error) {
  return boost::json::serialize(boost::json::object{{"error", error}});
}

// The "message" string of a client frame, or nullopt when the frame is not {"message": "..."}.
std::optional<std::string> message_of(const std::string& payload) {
  boost::system::error_code ec;
  auto value = boost::json::parse(payload, ec);
  if (ec || !value.is_object()) return std::nullopt;
  auto* m = value.as_object().if_contains("message");
  if (!m || !m->is_string()) return std::nullopt;
  return std::string(m->as_string());
}

struct WsMember {
  std::string room;
  std::string name;
  RateLimiter limiter;
};

}  // namespace

void ChatService::setup_websocket() {
  ws::ServerOptions options{.max_message_size = 64 * 1024, .permessage_deflate = {.enabled = true}};
  if (!config_.allowed_origins.empty()) {
    options.allow_origin = [origins = config_.allowed_origins](std::string_view origin) {
      return std::find(origins.begin(), origins.end(), origin) != origins.end();
    };
  }
  http_.router().get("/ws/chat/:room", [this, options](http::Exchange ex) {
    auto& req = ex.request();
    std::string room(req.param("room"));
    if (!ws::is_upgrade(req)) return ex.respond(http::Response::error(426, "WebSocket only"));
    if (!store::valid_room_name(room))
      return ex.respond(http::Response::error(404, "no such room"));
    auto name = store::normalize_name(req.query_param("name").value_or("anonymous"));
    if (!name) return ex.respond(http::Response::error(400, "invalid name"));
    auto member = std::make_shared<WsMember>(
        WsMember{room, *name, RateLimiter(config_.rate_burst, config_.rate_per_second)});
    ws::accept(ex, options,
               {
                   .on_open =
                       [this, member](const ws::ConnectionPtr& c) {
                         local().rooms[member->room].websockets[c->id()] = c;
                         presence_.join(member->room, member->name, [](Presence::Online) {});
                         with_room(member->room, [c](Error error) {
                           if (error) c->close(ws::CloseCode::PolicyViolation, *error);
                         });
                       },
                   .on_message =
                       [this, member](const ws::ConnectionPtr& c, ws::Message m) {
                         auto text = message_of(m.payload);
                         if (!text)
                           return void(c->send_text(error_text("send {\"message\": \"...\"}")));
                         if (!member->limiter.allow())
                           return void(c->send_text(error_text("rate limited")));
                         std::weak_ptr<ws::Connection> weak = c;
                         post_message(member->room, member->name, *text,
                                      [weak](Error error, ChatMessage) {
                                        auto c = weak.lock();
                                        if (error && c) c->send_text(error_text(*error));
                                      });
                       },
                   .on_close =
                       [this, member](const ws::ConnectionPtr& c, ws::CloseCode, std::string_view) {
                         auto& rooms = local().rooms;
                         if (auto it = rooms.find(member->room); it != rooms.end())
                           it->second.websockets.erase(c->id());
                         presence_.leave(member->room, member->name);
                       },
               });
  });
}

}  // namespace switchboard::app
