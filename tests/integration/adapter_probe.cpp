// adapter_probe: the C++ side of the cluster cross-checks (adapter_node_test.mjs). It joins a
// cluster through RedisCluster (RedisClient + ClusterCore), takes JSON commands on stdin (one per
// line) and prints one JSON line per event on stdout. Binaries are written {"$bin": "<hex>"} both
// ways.
//
//   adapter_probe --redis redis://127.0.0.1:P [--sharded] [--rooms r1,r2] [--answer NAME]
//                 [--sockets JSON]
//
// Commands: {"op":"broadcast","data":[event,...args],"opts":{rooms,except,flags}},
// {"op":"broadcast_ack",...same}, {"op":"sse","args":[...]} (with ack), {"op":"sse_noack",...},
// {"op":"fetch","opts":{...}}, {"op":"server_count"}, {"op":"health"}, {"op":"quit"}.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "switchboard/adapter/redis_cluster.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
namespace sa = switchboard::adapter;

namespace {

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += {digits[c >> 4], digits[c & 15]};
  return out;
}

// Placeholders -> {"$bin": hex}.
json::value render(const json::value& v, const std::vector<std::string>& attachments) {
  if (sa::is_binary(v)) {
    const auto num = static_cast<std::size_t>(v.at("num").to_number<std::int64_t>());
    return json::object{{"$bin", num < attachments.size() ? hex(attachments[num]) : "?"}};
  }
  if (v.is_array()) {
    json::array out;
    for (const auto& item : v.get_array()) out.push_back(render(item, attachments));
    return out;
  }
  if (v.is_object()) {
    json::object out;
    for (const auto& [k, item] : v.get_object()) out[k] = render(item, attachments);
    return out;
  }
  return v;
}

// {"$bin": hex} -> placeholders + attachments.
json::value unrender(const json::value& v, switchboard::socketio::Packet& packet) {
  if (const auto* o = v.if_object(); o && o->size() == 1 && o->contains("$bin")) {
    const std::string h(o->at("$bin").as_string());
    std::string bytes;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
      bytes.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return packet.attach(std::move(bytes));
  }
  if (v.is_array()) {
    json::array out;
    for (const auto& item : v.get_array()) out.push_back(unrender(item, packet));
    return out;
  }
  if (v.is_object()) {
    json::object out;
    for (const auto& [k, item] : v.get_object()) out[k] = unrender(item, packet);
    return out;
  }
  return v;
}

void print(const json::object& line) {
  std::cout << json::serialize(line) << std::endl;
}

json::value opts_json(const sa::BroadcastOptions& opts) {
  return sa::to_json(opts);
}

class Probe {
 public:
  Probe(asio::io_context& context, sa::RedisOptions redis, sa::ClusterMode mode,
        std::vector<std::string> rooms, std::string answer, json::array sockets)
      : context_(context),
        cluster_(
            context,
            {.redis = std::move(redis),
             .cluster = {.mode = mode, .requests_timeout = std::chrono::milliseconds(2000)}},
            [this](sa::Inbound in) { on_inbound(std::move(in)); },
            [this](std::string_view room) {
              return std::find(rooms_.begin(), rooms_.end(), room) != rooms_.end();
            }),
        rooms_(std::move(rooms)),
        answer_(std::move(answer)),
        sockets_(std::move(sockets)),
        ready_(context),
        input_(context, ::dup(0)) {}

  void start() {
    for (const auto& room : rooms_) cluster_.room_created(room, sa::looks_like_socket_id(room));
    cluster_.start();
    wait_ready();
    read_line();
  }

 private:
  sa::ClusterCore& core() { return cluster_.core(); }

  void wait_ready() {
    ready_.expires_after(std::chrono::milliseconds(10));
    ready_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      if (!cluster_.health().ok()) return wait_ready();
      print({{"event", "ready"}, {"uid", core().uid()}});
    });
  }

  void read_line() {
    asio::async_read_until(input_, asio::dynamic_buffer(buffer_), '\n',
                           [this](boost::system::error_code ec, std::size_t n) {
                             if (ec) return quit();
                             const std::string line = buffer_.substr(0, n);
                             buffer_.erase(0, n);
                             command(json::parse(line).as_object());
                             read_line();
                           });
  }

  void quit() {
    cluster_.close();
    context_.stop();
  }

  void command(const json::object& c) {
    const std::string op(c.at("op").as_string());
    const auto* o = c.if_contains("opts");
    const sa::BroadcastOptions opts =
        o ? sa::broadcast_options_from(*o).value() : sa::BroadcastOptions{};
    auto report = [op](boost::system::error_code ec, std::vector<sa::WireValue> answers) {
      json::array out;
      for (const auto& a : answers) out.push_back(render(a.json, a.attachments));
      print({{"event", op + "_done"}, {"error", ec ? ec.message() : ""}, {"answers", out}});
    };
    if (op == "quit") return quit();
    if (op == "broadcast" || op == "broadcast_ack") {
      switchboard::socketio::Packet packet;
      packet.data = unrender(c.at("data"), packet);
      if (op == "broadcast") return core().broadcast(packet, opts);
      return cluster_.broadcast_with_ack(
          packet, opts,
          {.on_client_count =
               [](std::size_t n) {
                 print({{"event", "client_count"}, {"n", n}});
               },
           .on_ack =
               [](sa::WireValue v) {
                 print({{"event", "ack"}, {"value", render(v.json, v.attachments)}});
               }});
    }
    if (op == "sse_noack") return core().server_side_emit({c.at("args"), {}});
    if (op == "sse") return cluster_.server_side_emit_with_ack({c.at("args"), {}}, report);
    if (op == "fetch") return cluster_.fetch_sockets(opts, report);
    if (op == "health") {
      const auto& h = cluster_.health();
      return print({{"event", "health"},
                    {"ok", h.ok()},
                    {"reconnects", h.reconnects},
                    {"last_error", h.last_error}});
    }
    if (op == "server_count") {
      cluster_.server_count([](boost::system::result<std::size_t> n) {
        print({{"event", "server_count"}, {"n", n ? static_cast<std::int64_t>(*n) : -1}});
      });
    }
  }

  void on_inbound(sa::Inbound in) {
    if (auto* b = std::get_if<sa::inbound::Broadcast>(&in)) {
      print({{"event", "broadcast"},
             {"nsp", b->packet.nsp},
             {"type", static_cast<int>(b->packet.type)},
             {"data", render(b->packet.data, b->packet.attachments)},
             {"opts", opts_json(b->opts)}});
    } else if (auto* a = std::get_if<sa::inbound::BroadcastWithAck>(&in)) {
      print({{"event", "broadcast_with_ack"},
             {"data", render(a->packet.data, a->packet.attachments)},
             {"opts", opts_json(a->opts)}});
      core().reply_client_count(a->requester, 0);
    } else if (auto* f = std::get_if<sa::inbound::FetchSockets>(&in)) {
      print({{"event", "fetch"}, {"opts", opts_json(f->opts)}, {"from", f->requester.uid}});
      core().reply_fetch_sockets(f->requester, sockets_);
    } else if (auto* s = std::get_if<sa::inbound::ServerSideEmit>(&in)) {
      print({{"event", "server_side_emit"},
             {"args", render(s->args.json, s->args.attachments)},
             {"with_ack", s->requester.has_value()}});
      if (s->requester) core().reply_server_side_emit(*s->requester, {json::value(answer_), {}});
    } else if (auto* j = std::get_if<sa::inbound::SocketsJoin>(&in)) {
      print({{"event", "sockets_join"},
             {"opts", opts_json(j->opts)},
             {"rooms", sa::to_json({.rooms = j->rooms}).at("rooms")}});
    } else if (auto* d = std::get_if<sa::inbound::DisconnectSockets>(&in)) {
      print({{"event", "disconnect_sockets"}, {"opts", opts_json(d->opts)}, {"close", d->close}});
    }
  }

  asio::io_context& context_;
  sa::RedisCluster cluster_;
  std::vector<std::string> rooms_;
  std::string answer_;
  json::array sockets_;
  asio::steady_timer ready_;
  asio::posix::stream_descriptor input_;
  std::string buffer_;
};

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < list.size()) {
    const auto comma = list.find(',', start);
    out.push_back(list.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, answer = "cpp-probe";
  std::vector<std::string> rooms;
  sa::ClusterMode mode = sa::ClusterMode::Classic;
  json::array sockets;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (arg == "--redis")
      url = next();
    else if (arg == "--sharded")
      mode = sa::ClusterMode::Sharded;
    else if (arg == "--rooms")
      rooms = split(next());
    else if (arg == "--answer")
      answer = next();
    else if (arg == "--sockets")
      sockets = json::parse(next()).as_array();
  }
  auto options = sa::parse_redis_url(url);
  if (!options) {
    std::cerr << "usage: adapter_probe --redis redis://HOST:PORT [--sharded] [--rooms a,b]\n";
    return 2;
  }
  options->reconnect_min = std::chrono::milliseconds(50);
  asio::io_context context;
  Probe probe(context, *options, mode, rooms, answer, sockets);
  probe.start();
  context.run();
  return 0;
}
