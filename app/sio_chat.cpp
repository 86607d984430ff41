// The chat over Socket.IO: namespace /chat.
#include <set>

#include "chat_service.hpp"
#include "rate_limiter.hpp"
#include "switchboard/store/validation.hpp"

namespace switchboard::app {

namespace {

namespace json = boost::json;

/// What a chat socket remembers.
struct Member {
  std::string name;
  std::set<std::string> rooms;
  RateLimiter limiter;
};

json::object failure(std::string_view error) {
  return {{"ok", false}, {"error", error}};
}

// The string field `key` of the first argument, or "".
std::string field(const socketio::Event& e, std::string_view key) {
  if (e.args.size() == 0 || !e.args[0].is_object()) return {};
  auto* v = e.args[0].as_object().if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::uint64_t number_field(const socketio::Event& e, std::string_view key, std::uint64_t fallback) {
  if (e.args.size() == 0 || !e.args[0].is_object()) return fallback;
  auto* v = e.args[0].as_object().if_contains(key);
  if (v && v->is_uint64()) return v->as_uint64();
  if (v && v->is_int64() && v->as_int64() >= 0) return static_cast<std::uint64_t>(v->as_int64());
  return fallback;
}

}  // namespace

void ChatService::setup_socketio() {
  auto chat = io_.of("/chat");
  chat.use([](const socketio::SocketPtr& socket, auto next) {
    auto* name = socket->handshake().auth.if_contains("name");
    auto normalized =
        name && name->is_string() ? store::normalize_name(name->as_string()) : std::nullopt;
    if (!normalized) return next(socketio::ConnectError{"invalid name", nullptr});
    socket->data = json::object{{"name", *normalized}};
    next(std::nullopt);
  });
  chat.on_connection([this](const socketio::SocketPtr& socket) {
    auto member =
        std::make_shared<Member>(Member{std::string(socket->data.at("name").as_string()),
                                        {},
                                        RateLimiter(config_.rate_burst, config_.rate_per_second)});
    std::weak_ptr<socketio::Socket> weak = socket;

    socket->on("join", [this, weak, member](socketio::Event& e) {
      auto room = field(e, "room");
      auto after = number_field(e, "after", 0);
      bool resume =
          e.args.size() > 0 && e.args[0].is_object() && e.args[0].as_object().contains("after");
      with_room(room, [this, weak, member, room, after, resume, ack = e.ack](Error error) mutable {
        auto socket = weak.lock();
        if (!socket) return;
        if (error) return ack(failure(*error));
        socket->join("room:" + room);
        bool first = member->rooms.insert(room).second;
        auto* shard = &socket->shard();
        // History first, presence last: presence changes are serialised on shard 0 and its
        // posts to this shard keep their order, so the list in the ack is never older than a
        // presence event the client received before it.
        auto with_presence = [this, shard, room, ack, first, name = member->name](
                                 Error err, std::vector<ChatMessage> messages) mutable {
          on_shard(*shard,
                   [this, room, ack, first, name, err, messages = std::move(messages)]() mutable {
                     if (err) return ack(failure(*err));
                     auto reply = [room, ack, messages = std::move(messages)](
                                      Presence::Online online) mutable {
                       json::array names;
                       for (auto& n : online) names.emplace_back(n);
                       ack(json::object{{"ok", true},
                                        {"room", room},
                                        {"messages", to_json(messages)},
                                        {"online", names}});
                     };
                     // A second join of the same room (a reconnection's re-join) counts once.
                     if (first) {
                       presence_.join(room, name, std::move(reply));
                     } else {
                       presence_.online(room, std::move(reply));
                     }
                   });
        };
        // After a reconnection: everything missed; otherwise the last 50.
        if (resume) {
          history_.after(room, after, 200, std::move(with_presence));
        } else {
          history_.recent(room, 0, 50, std::move(with_presence));
        }
      });
    });

    socket->on("leave", [this, weak, member](socketio::Event& e) {
      auto room = field(e, "room");
      auto socket = weak.lock();
      if (socket && member->rooms.erase(room)) {
        socket->leave("room:" + room);
        presence_.leave(room, member->name);
      }
      e.ack(json::object{{"ok", true}});
    });

    socket->on("message", [this, weak, member](socketio::Event& e) {
      auto room = field(e, "room");
      auto socket = weak.lock();
      if (!socket) return;
      if (!member->rooms.contains(room)) return e.ack(failure("join the room first"));
      if (!member->limiter.allow()) {
        socket->emit("error", json::object{{"error", "rate limited"}});
        return e.ack(failure("rate limited"));
      }
      post_message(room, member->name, field(e, "text"),
                   [ack = e.ack](Error error, ChatMessage m) mutable {
                     if (error) return ack(failure(*error));
                     ack(json::object{{"ok", true}, {"message", to_json(m)}});
                   });
    });

    socket->on("typing", [weak, member](socketio::Event& e) {
      auto room = field(e, "room");
      auto socket = weak.lock();
      if (!socket || !member->rooms.contains(room)) return;
      bool typing = e.args.size() > 0 && e.args[0].is_object() &&
                    e.args[0].as_object().contains("typing") &&
                    e.args[0].as_object().at("typing") == true;
      socket->broadcast()
          .to("room:" + room)
          .volatile_()
          .emit("typing", json::object{{"room", room}, {"user", member->name}, {"typing", typing}});
    });

    socket->on("history", [this, weak](socketio::Event& e) {
      auto room = field(e, "room");
      auto before = number_field(e, "before", 0);
      auto limit = std::clamp<std::uint64_t>(number_field(e, "limit", 50), 1, 200);
      auto socket = weak.lock();
      if (!socket) return;
      if (!store::valid_room_name(room)) return e.ack(failure("invalid room name"));
      auto* shard = &socket->shard();
      history_.recent(room, before, limit,
                      [shard, ack = e.ack](Error err, std::vector<ChatMessage> m) mutable {
                        on_shard(*shard, [ack, err, m = std::move(m)]() mutable {
                          if (err) return ack(failure(*err));
                          ack(json::object{{"ok", true}, {"messages", to_json(m)}});
                        });
                      });
    });

    socket->on("rename", [this, weak, member](socketio::Event& e) {
      auto socket = weak.lock();
      auto name = store::normalize_name(field(e, "name"));
      if (!socket) return;
      if (!name) return e.ack(failure("invalid name"));
      auto old = member->name;
      member->name = *name;
      socket->data = json::object{{"name", *name}};
      for (const auto& room : member->rooms) {
        presence_.rename(room, old, *name);
        socket->to("room:" + room)
            .emit("rename", json::object{{"room", room}, {"old", old}, {"new", *name}});
      }
      e.ack(json::object{{"ok", true}, {"name", *name}});
    });

    socket->on("rooms", [this, weak](socketio::Event& e) {
      auto socket = weak.lock();
      if (!socket) return;
      auto* shard = &socket->shard();
      history_.rooms([shard, ack = e.ack](Error err, std::vector<std::string> rooms) mutable {
        on_shard(*shard, [ack, err, rooms = std::move(rooms)]() mutable {
          if (err) return ack(failure(*err));
          json::array list;
          for (auto& r : rooms) list.push_back(json::object{{"name", r}});
          ack(json::object{{"ok", true}, {"rooms", list}});
        });
      });
    });

    socket->on_disconnect([this, member](std::string_view) {
      for (const auto& room : member->rooms) presence_.leave(room, member->name);
      member->rooms.clear();
    });
  });
  io_.attach(http_.router());
}

}  // namespace switchboard::app
