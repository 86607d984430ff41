// switchboard: the chat service. `switchboard serve` starts it on http://localhost:8000.
#include <cstdio>
#include <filesystem>

#include "chat_service.hpp"
#include "config.hpp"
#include "switchboard/net/listener.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
  int exit_code = 0;
  auto config = app::parse_command_line(argc, argv, exit_code);
  if (!config) return exit_code;

  std::string error;
  auto history = app::History::open(config->data, config->max_rooms, error);
  if (!history) {
    std::fprintf(stderr, "switchboard: cannot open the history in %s: %s\n", config->data.c_str(),
                 error.c_str());
    return 1;
  }
  if (!std::filesystem::exists(std::filesystem::path(config->web) / "index.html")) {
    std::fprintf(stderr, "switchboard: warning: no web UI in %s (build it: make web)\n",
                 config->web.c_str());
  }

  net::ListenOptions listen{.address = config->address, .port = config->port};
  try {
    if (!config->tls_cert.empty()) {
      listen.tls = net::TlsContext::from_files(config->tls_cert, config->tls_key);
    }
    net::Runtime runtime({.shards = config->shards});
    http::Server server(
        runtime, {.idle_timeout = std::chrono::seconds(75),
                  .cors = {.allowed_origins = config->allowed_origins, .allow_credentials = true}});
    app::ChatService chat(runtime, server, *history, *config);
    server.listen(listen);
    std::printf("listening on %s://%s:%u\n", listen.tls ? "https" : "http",
                config->address == "0.0.0.0" ? "127.0.0.1" : config->address.c_str(),
                static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    return runtime.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "switchboard: %s\n", e.what());
    return 1;
  }
}
