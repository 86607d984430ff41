#include "chat_members.hpp"

#include <boost/json/serialize.hpp>

#include "switchboard/socketio/args.hpp"
#include "switchboard/sse/event.hpp"

namespace switchboard::app {

namespace json = boost::json;

std::shared_ptr<const socketio::Frame> ChatTransport::frame(std::string_view event,
                                                            const socketio::Args& args) const {
  if (event != "message" || args.size() == 0 || !args[0].is_object()) return nullptr;
  const auto& m = args[0].as_object();
  auto id = socketio::field<std::uint64_t>(args[0], "id");
  if (!id) return nullptr;
  auto frame = std::make_shared<MessageFrame>();
  frame->id = *id;
  auto text = json::serialize(m);
  switch (kind_) {
    case Kind::WebSocket: {
      // Django Channels' shape: the text under "message".
      auto member = [&](std::string_view key) {
        const auto* v = m.if_contains(key);
        return v ? *v : json::value();
      };
      json::object django{{"message", member("text")},    {"user", member("user")},
                          {"user_id", member("user_id")}, {"id", member("id")},
                          {"ts", member("ts")},           {"room", member("room")}};
      frame->websocket = std::make_shared<const ws::PreparedMessage>(
          ws::Opcode::Text, json::serialize(django), ws::PrepareOptions{.compress = true});
      break;
    }
    case Kind::Sse: {
      auto bytes = sse::format({.data = text, .event = "message", .id = std::to_string(*id)});
      if (!bytes) return nullptr;
      frame->text = std::make_shared<const std::string>(std::move(*bytes));
      break;
    }
    case Kind::Poll:
      frame->text = std::make_shared<const std::string>(std::move(text));
      break;
  }
  return frame;
}

void WsSubscriber::deliver(const socketio::Frame& frame, bool is_volatile) {
  connection->send(static_cast<const MessageFrame&>(frame).websocket, is_volatile);
}

void SseSubscriber::deliver(const socketio::Frame& frame, bool) {
  const auto& f = static_cast<const MessageFrame&>(frame);
  if (replaying) {
    held.emplace_back(f.id, f.text);
  } else if (f.id > last_sent) {
    last_sent = f.id;
    stream->write(*f.text);
  }
}

void PollWaiter::deliver(const socketio::Frame& frame, bool) {
  const auto& f = static_cast<const MessageFrame&>(frame);
  if (answered || f.id <= after) return;
  if (reading) {
    held.emplace_back(f.id, f.text);
    return;
  }
  answer_held({{f.id, f.text}});
  // A copy: forget() may drop the last other reference to this waiter's closure.
  if (auto f = forget) f();
}

void PollWaiter::on_shard_stop() {
  if (!answered) {
    answered = true;
    exchange.respond(http::Response::empty(204));
  }
  if (auto f = forget) f();
}

void PollWaiter::answer_held(
    const std::vector<std::pair<std::uint64_t, std::shared_ptr<const std::string>>>& messages) {
  answered = true;
  std::string body = "{\"messages\":[";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i) body += ',';
    body += *messages[i].second;
  }
  body += "],\"last_id\":" + std::to_string(messages.back().first) + "}";
  exchange.respond(http::Response::json(200, std::move(body)));
}

}  // namespace switchboard::app
