// The chat over plain WebSocket, Django Channels style: ws/chat/<room>/ ; the client sends
// {"message": "..."} and receives {"message", "user", "id", "ts", "room"}.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "chat_input.hpp"
#include "chat_service.hpp"
#include "switchboard/store/validation.hpp"
#include "switchboard/ws/endpoint.hpp"

namespace switchboard::app {

struct ChatService::WsMember {
  std::string room;
  Author author;
  std::string address;
  bool entered = false;
  /// In the room's fan-out from on_open to on_close.
  std::shared_ptr<WsSubscriber> subscriber;
};

namespace {

std::string error_text(std::string_view error) {
  return boost::json::serialize(boost::json::object{{"error", error}});
}

}  // namespace

void ChatService::setup_websocket() {
  ws::ServerOptions options{.max_message_size = 64 * 1024, .permessage_deflate = {.enabled = true}};
  http_.router().get("/ws/chat/:room", [this, options](http::Exchange ex) {
    // The same origin policy as every other transport (a page on another site must not post
    // as anyone), checked before the upgrade.
    if (refuse_foreign_origin(ex)) return;
    auto& req = ex.request();
    std::string room(req.param("room"));
    if (!ws::is_upgrade(req)) return ex.respond(http::Response::error(426, "WebSocket only"));
    if (!store::valid_room_name(room))
      return ex.respond(http::Response::error(404, "no such room"));
    // A token (?token=, or Authorization: Bearer for clients that can set headers) posts as
    // that user; without one, a guest named by ?name= ("anonymous" when absent).
    auto token = req.query_param("token");
    if (!token) {
      if (auto bearer = Users::bearer(req.header("Authorization"))) token = std::string(*bearer);
    }
    if (token) {
      auto* shard = &ex.shard();
      auto address = proxies_.client_of(req);
      return users_.authenticate(*token, [this, shard, ex, room, address, options](
                                             Error error, Author user) mutable {
        on_shard(*shard, [this, ex, room, address, options, error, user]() mutable {
          if (error) return ex.respond(to_response(*error));
          accept_websocket(ex, options, std::make_shared<WsMember>(WsMember{room, user, address}));
        });
      });
    }
    auto name = parse_name(req.query_param("name").value_or("anonymous"));
    if (!name) return ex.respond(http::Response::error(400, name.error));
    accept_websocket(
        ex, options,
        std::make_shared<WsMember>(WsMember{room, Author{0, *name}, proxies_.client_of(req)}));
  });
}

void ChatService::accept_websocket(http::Exchange ex, const ws::ServerOptions& options,
                                   std::shared_ptr<WsMember> member) {
  ws::accept(ex, options,
             {
                 .on_open =
                     [this, member](const ws::ConnectionPtr& c) {
                       member->subscriber = std::make_shared<WsSubscriber>(ws_transport_, c);
                       chat_.join(member->subscriber, member->room);
                       presence_.join(member->room, member->author, [](Presence::Online) {});
                       activity_.enter(member->room);
                       member->entered = true;
                       with_room(member->room, true, member->address, [c](Error error) {
                         if (error) c->close(ws::CloseCode::PolicyViolation, error->message);
                       });
                     },
                 .on_message =
                     [this, member](const ws::ConnectionPtr& c, ws::Message m) {
                       auto text = parse_ws_message(m.payload);
                       if (!text) return void(c->send_text(error_text(text.error)));
                       std::weak_ptr<ws::Connection> weak = c;
                       post_message(member->room, member->author, *text, member->address,
                                    [weak](Error error, ChatMessage) {
                                      auto c = weak.lock();
                                      if (error && c) {
                                        c->send_text(boost::json::serialize(to_json(*error)));
                                      }
                                    });
                     },
                 .on_close =
                     [this, member](const ws::ConnectionPtr&, ws::CloseCode, std::string_view) {
                       if (auto sub = std::exchange(member->subscriber, nullptr)) chat_.leave(*sub);
                       presence_.leave(member->room, member->author);
                       if (member->entered) activity_.exit(member->room);
                     },
             });
}

}  // namespace switchboard::app
