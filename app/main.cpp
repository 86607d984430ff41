// switchboard: the chat service. `switchboard serve` starts it on http://localhost:8000.
#include <cstdio>
#include <filesystem>
#include <future>
#include <string_view>

#include "chat_service.hpp"
#include "client_address.hpp"
#include "config.hpp"
#include "switchboard/http/metrics_route.hpp"
#include "switchboard/log/logger.hpp"
#include "switchboard/metrics/registry.hpp"
#include "switchboard/net/listener.hpp"
#include "switchboard/store/message_store.hpp"

using namespace switchboard;

namespace {

// `switchboard rooms delete NAME [--data DIR | --redis URL]`: removes a room and its messages, also
// while a server runs on the same data (SQLite serialises the writers; the server forgets the room
// when it next uses it).
// With --redis URL, the room is removed from the Redis history (every node stops serving it).
int delete_redis_room(const std::string& url, const std::string& name) {
  std::string error;
  auto history = app::History::open_redis({.url = url}, error);
  if (!history) {
    std::fprintf(stderr, "switchboard: %s\n", error.c_str());
    return 1;
  }
  std::promise<std::pair<app::Error, bool>> answer;
  history->delete_room(name, false, [&answer](app::Error e, bool deleted) {
    answer.set_value({e, deleted});
  });
  auto [failure, deleted] = answer.get_future().get();
  if (failure) {
    std::fprintf(stderr, "switchboard: %s\n", failure->message.c_str());
    return 1;
  }
  if (!deleted) {
    std::fprintf(stderr, "switchboard: no room %s\n", name.c_str());
    return 1;
  }
  std::printf("deleted room %s\n", name.c_str());
  return 0;
}

int rooms_command(int argc, char** argv) {
  std::string data = "data";
  std::string redis;
  std::string name;
  for (int i = 3; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (arg.starts_with("--data=")) {
      data = arg.substr(7);
    } else if (arg == "--redis" && i + 1 < argc) {
      redis = argv[++i];
    } else if (arg.starts_with("--redis=")) {
      redis = arg.substr(8);
    } else if (name.empty() && !arg.starts_with("--")) {
      name = arg;
    } else {
      name.clear();
      break;
    }
  }
  if (argc < 4 || std::string_view(argv[2]) != "delete" || name.empty()) {
    std::fprintf(stderr, "usage: switchboard rooms delete NAME [--data DIR | --redis URL]\n");
    return 2;
  }
  if (!redis.empty()) return delete_redis_room(redis, name);
  auto store = store::MessageStore::open({.dir = data});
  if (!store) {
    std::fprintf(stderr, "switchboard: %s\n", store.error().message.c_str());
    return 1;
  }
  auto deleted = (*store)->delete_room_sync(name, false);
  if (!deleted) {
    std::fprintf(stderr, "switchboard: %s\n", deleted.error().message.c_str());
    return 1;
  }
  if (!*deleted) {
    std::fprintf(stderr, "switchboard: no room %s\n", name.c_str());
    return 1;
  }
  std::printf("deleted room %s\n", name.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "rooms") return rooms_command(argc, argv);
  int exit_code = 0;
  auto config = app::parse_command_line(argc, argv, exit_code);
  if (!config) return exit_code;
  // From here on, what the server says goes to the log (usage and `rooms` answers above stay
  // plain lines: they are a command's output, not the service's records).
  log::set_level(config->log_level);
  log::set_format(config->log_format);

  std::string error;
  auto history =
      config->redis_url.empty()
          ? app::History::open(config->data, config->max_rooms, config->max_db_bytes, error)
          : app::History::open_redis({.url = config->redis_url,
                                      .max_rooms = config->max_rooms,
                                      .max_messages_per_room = config->history_max_per_room,
                                      .recovery_max_packets = config->recovery_max_packets},
                                     error);
  if (!history) {
    // Not the Redis URL: it may hold a password.
    log::error("cannot open the history",
               {{"data", config->redis_url.empty() ? config->data : "redis"}, {"error", error}});
    return 1;
  }
  if (!std::filesystem::exists(std::filesystem::path(config->web) / "index.html")) {
    log::warn("no web UI in its folder (build it: make web)", {{"dir", config->web}});
  }

  net::ListenOptions listen{.address = config->address, .port = config->port};
  try {
    if (!config->tls_cert.empty()) {
      listen.tls = net::TlsContext::from_files(config->tls_cert, config->tls_key);
    }
    net::Runtime runtime({.shards = config->shards});
    // The access log names the client as the rate limits do: behind a trusted proxy, the
    // address it forwarded.
    std::function<std::string(const http::Request&)> client_address;
    if (!config->trusted_proxies.empty()) {
      std::vector<app::Cidr> networks;
      for (const auto& text : config->trusted_proxies) networks.push_back(*app::Cidr::parse(text));
      client_address = [proxies = app::TrustedProxies(std::move(networks))](
                           const http::Request& request) { return proxies.client_of(request); };
    }
    http::Server server(
        runtime, {.idle_timeout = std::chrono::seconds(75),
                  .cors = {.allowed_origins = config->allowed_origins, .allow_credentials = true},
                  .access_log = config->access_log,
                  .client_address = std::move(client_address)});
    // Before the chat's routes: its last one serves every other path (the web UI).
    metrics::Registry registry;
    if (config->metrics) {
      http::serve_metrics(server, registry);
    } else {
      server.router().get("/metrics", [](http::Exchange ex) {
        ex.respond(http::Response::error(404, "metrics are off (--metrics on)"));
      });
    }
    app::ChatService chat(runtime, server, *history, *config);
    if (config->metrics) chat.add_metrics(registry);
    server.listen(listen);
    // With --redis, only once the node is subscribed: a client told "listening" gets every
    // message posted from then on, whichever node takes it.
    chat.when_ready([&listen, &config, &server] {
      std::printf("listening on %s://%s:%u\n", listen.tls ? "https" : "http",
                  config->address == "0.0.0.0" ? "127.0.0.1" : config->address.c_str(),
                  static_cast<unsigned>(server.port()));
      std::fflush(stdout);
      log::info(
          "listening",
          {{"address", config->address}, {"port", server.port()}, {"tls", listen.tls != nullptr}});
    });
    const int code = runtime.run();
    // The shards have stopped; what the history still has in flight answers now, while the
    // shards and the chat its callbacks reach are still there.
    history->close();
    return code;
  } catch (const std::exception& e) {
    log::error("cannot serve", {{"error", e.what()}});
    return 1;
  }
}
