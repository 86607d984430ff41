// The chat over Socket.IO: namespace /chat.
#include <set>

#include "chat_input.hpp"
#include "chat_service.hpp"
#include "switchboard/store/validation.hpp"

namespace switchboard::app {

/// What a chat socket remembers.
struct ChatService::SioMember {
  Author author;
  std::string address;
  std::set<std::string> rooms;
};

namespace {

namespace json = boost::json;

json::object failure(std::string_view error) {
  return {{"ok", false}, {"error", error}};
}

// The first argument of an event (null when there is none).
const json::value& first_arg(const socketio::Event& e) {
  static const json::value none;
  return e.args.size() > 0 ? e.args[0] : none;
}

// A page read forward is full when the store may have more after it.
constexpr std::size_t page = 200;

}  // namespace

void ChatService::setup_socketio() {
  auto chat = io_.of("/chat");
  // auth {token}: a registered user; auth {name} without a token: a guest.
  chat.use([this](const socketio::SocketPtr& socket, auto next) {
    auto& auth = socket->handshake().auth;
    if (auto* token = auth.if_contains("token"); token && !token->is_null()) {
      std::string text = token->is_string() ? std::string(token->as_string()) : "";
      auto* shard = &socket->shard();
      std::weak_ptr<socketio::Socket> weak = socket;
      return users_.authenticate(text, [shard, weak, next](Error error, Author user) {
        on_shard(*shard, [weak, next, error, user] {
          auto socket = weak.lock();
          if (!socket) return;
          if (error) return next(socketio::ConnectError{error->message, nullptr});
          socket->data = json::object{{"id", user.id}, {"name", user.name}};
          next(std::nullopt);
        });
      });
    }
    auto name = parse_name(auth.if_contains("name"));
    if (!name) return next(socketio::ConnectError{name.error, nullptr});
    socket->data = json::object{{"id", 0}, {"name", *name}};
    next(std::nullopt);
  });
  chat.on_connection([this](const socketio::SocketPtr& socket) {
    Author author{socket->data.at("id").to_number<std::uint64_t>(),
                  std::string(socket->data.at("name").as_string())};
    auto member = std::make_shared<SioMember>(
        SioMember{author, proxies_.client_of(*socket->handshake().request), {}});
    std::weak_ptr<socketio::Socket> weak = socket;
    // Recovered (connection state recovery): back in its rooms, with what it missed on its
    // way; it counts in them again as if it had joined.
    if (socket->recovered()) {
      for (const auto& room : socket->rooms()) {
        if (room == socket->id() || !member->rooms.insert(room).second) continue;
        activity_.enter(room);
        presence_.join(room, author, [](Presence::Online) {});
      }
    }

    socket->on("join", [this, weak, member](socketio::Event& e) {
      auto join = parse_join(first_arg(e));
      if (!join) return e.ack(failure(join.error));
      auto room = join->room;
      auto after = join->after;
      with_room(
          room, true, member->address,
          [this, weak, member, room, after, ack = e.ack](Error error) mutable {
            auto socket = weak.lock();
            if (!socket) return;
            if (error) return ack(to_json(*error));
            // The Socket.IO room is the chat room: the other transports' members join it
            // too (chat_members.hpp).
            socket->join(room);
            bool first = member->rooms.insert(room).second;
            if (first) activity_.enter(room);
            auto* shard = &socket->shard();
            // History first, presence last: presence changes are serialised on shard 0
            // and its posts to this shard keep their order, so the list in the ack is
            // never older than a presence event the client received before it.
            auto with_presence = [this, shard, room, ack, first, resume = after.has_value(),
                                  who = member->author](Error err,
                                                        std::vector<ChatMessage> messages) mutable {
              on_shard(*shard, [this, room, ack, first, resume, who, err,
                                messages = std::move(messages)]() mutable {
                if (err) return ack(to_json(*err));
                // After a reconnection the ack holds one page of what was missed, and
                // says whether more follows (read it with `history {after}`).
                bool more = resume && messages.size() == page;
                auto reply = [room, ack, more, limits = config_.limits.per_name,
                              messages = std::move(messages)](Presence::Online online) mutable {
                  // The per-person limit, so that a client paces its sends to it.
                  json::object rate{{"burst", limits.burst}, {"per_second", limits.per_second}};
                  ack(json::object{{"ok", true},
                                   {"room", room},
                                   {"messages", to_json(messages)},
                                   {"more", more},
                                   {"online", to_json(online)},
                                   {"rate", rate}});
                };
                // A second join of the same room (a reconnection's re-join) counts once.
                if (first) {
                  presence_.join(room, who, std::move(reply));
                } else {
                  presence_.online(room, std::move(reply));
                }
              });
            };
            // After a reconnection: what was missed, a page at a time; else the last 50.
            if (after) {
              history_.after(room, *after, page, std::move(with_presence));
            } else {
              history_.recent(room, 0, 50, std::move(with_presence));
            }
          });
    });

    socket->on("leave", [this, weak, member](socketio::Event& e) {
      auto room = string_field(first_arg(e), "room");
      auto socket = weak.lock();
      if (socket && member->rooms.erase(room)) {
        socket->leave(room);
        presence_.leave(room, member->author);
        activity_.exit(room);
      }
      e.ack(json::object{{"ok", true}});
    });

    socket->on("message", [this, weak, member](socketio::Event& e) {
      auto socket = weak.lock();
      if (!socket) return;
      auto input = parse_message(first_arg(e));
      if (!input) return e.ack(failure(input.error));
      if (!member->rooms.contains(input->room)) return e.ack(failure("join the room first"));
      post_message(input->room, member->author, input->text, member->address,
                   [weak, ack = e.ack](Error error, ChatMessage m) mutable {
                     if (!error) return ack(json::object{{"ok", true}, {"message", to_json(m)}});
                     auto socket = weak.lock();
                     if (socket && error->kind == Failure::Kind::Limited) {
                       socket->emit("error", to_json(*error));
                     }
                     ack(to_json(*error));
                   });
    });

    socket->on("typing", [this, weak, member](socketio::Event& e) {
      auto& arg = first_arg(e);
      auto room = string_field(arg, "room");
      auto socket = weak.lock();
      if (!socket || !member->rooms.contains(room)) return;
      bool typing = arg.is_object() && arg.as_object().contains("typing") &&
                    arg.as_object().at("typing") == true;
      // A typing notice counts like a message; over the limit it is dropped (it is volatile).
      rate_limit(member->author, member->address, [weak, member, room, typing](Error limited) {
        auto socket = weak.lock();
        if (limited || !socket) return;
        socket->broadcast().to(room).volatile_().emit("typing",
                                                      json::object{{"room", room},
                                                                   {"user", member->author.name},
                                                                   {"user_id", member->author.id},
                                                                   {"typing", typing}});
      });
    });

    socket->on("history", [this, weak](socketio::Event& e) {
      auto input = parse_history(first_arg(e));
      auto socket = weak.lock();
      if (!socket) return;
      if (!input) return e.ack(failure(input.error));
      auto* shard = &socket->shard();
      bool forward = input->after.has_value();
      auto limit = input->limit;
      auto answer = [shard, forward, limit, ack = e.ack](Error err,
                                                         std::vector<ChatMessage> m) mutable {
        on_shard(*shard, [ack, err, forward, limit, m = std::move(m)]() mutable {
          if (err) return ack(to_json(*err));
          json::object reply{{"ok", true}, {"messages", to_json(m)}};
          if (forward) reply["more"] = m.size() == limit;
          ack(std::move(reply));
        });
      };
      if (forward) {
        history_.after(input->room, *input->after, limit, std::move(answer));
      } else {
        history_.recent(input->room, input->before, limit, std::move(answer));
      }
    });

    socket->on("rename", [this, weak, member](socketio::Event& e) {
      auto socket = weak.lock();
      if (!socket) return;
      auto name = parse_name(first_arg(e).is_object() ? first_arg(e).as_object().if_contains("name")
                                                      : nullptr);
      if (!name) return e.ack(failure(name.error));
      rate_limit(member->author, member->address,
                 [this, weak, member, name = *name, ack = e.ack](Error limited) mutable {
                   auto socket = weak.lock();
                   if (!socket) return;
                   if (limited) return ack(to_json(*limited));
                   if (member->author.guest())
                     return renamed(*socket, *member, Author{0, name}, ack);
                   // A user's new name is stored (it is theirs on every device and after a
                   // restart).
                   auto* shard = &socket->shard();
                   users_.rename(
                       member->author.id, name,
                       [this, shard, weak, member, ack](Error error, Author user) mutable {
                         on_shard(*shard, [this, weak, member, ack, error, user]() mutable {
                           auto socket = weak.lock();
                           if (!socket) return;
                           if (error) return ack(to_json(*error));
                           renamed(*socket, *member, user, ack);
                         });
                       });
                 });
    });

    socket->on("rooms", [this, weak](socketio::Event& e) {
      auto socket = weak.lock();
      if (!socket) return;
      auto* shard = &socket->shard();
      history_.rooms([shard, ack = e.ack](Error err, std::vector<std::string> rooms) mutable {
        on_shard(*shard, [ack, err, rooms = std::move(rooms)]() mutable {
          if (err) return ack(to_json(*err));
          json::array list;
          for (auto& r : rooms) list.push_back(json::object{{"name", r}});
          ack(json::object{{"ok", true}, {"rooms", list}});
        });
      });
    });

    socket->on_disconnect([this, member](std::string_view) {
      for (const auto& room : member->rooms) {
        presence_.leave(room, member->author);
        activity_.exit(room);
      }
      member->rooms.clear();
    });
  });
  io_.attach(http_.router());
}

void ChatService::renamed(socketio::Socket& socket, SioMember& member, const Author& now,
                          socketio::Ack ack) {
  auto old = member.author;
  member.author = now;
  socket.data = json::object{{"id", now.id}, {"name", now.name}};
  for (const auto& room : member.rooms) {
    presence_.rename(room, old, now);
    socket.to(room).emit(
        "rename",
        json::object{{"room", room}, {"id", now.id}, {"old", old.name}, {"new", now.name}});
  }
  ack(json::object{{"ok", true}, {"id", now.id}, {"name", now.name}});
}

}  // namespace switchboard::app
