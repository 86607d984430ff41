// The bench server contract (raw WebSocket only) on uWebSockets, the yardstick bench/run
// measures switchboard against. Written against uWS's public API (App.h); uWebSockets is not
// a dependency of switchboard and none of its code is in this repository: bench/peers/uws/build
// compiles this file against a local checkout.
//   /echo   each message goes back to its sender;
//   /bcast  each message goes to every /bcast client, the sender included (App::publish).
// --port N (8000); --ping-ms and --shards are accepted and ignored (one thread, no Socket.IO).
// Prints "listening on http://127.0.0.1:N" once it listens; SIGTERM or SIGINT closes every
// socket and returns from the loop (so that callgrind writes its profile).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "App.h"

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_signal(int) {
  stop_requested = 1;
}

struct PerSocket {};

// The contract's settings: no compression (as the other peers and bench_server), messages up
// to 16 MiB, no idle timeout or automatic pings (the generator sends none), a send buffer
// large enough that a broadcast to slow readers is buffered, not dropped.
template <class Handlers>
uWS::App::WebSocketBehavior<PerSocket> behavior(Handlers handlers) {
  uWS::App::WebSocketBehavior<PerSocket> b;
  b.compression = uWS::DISABLED;
  b.maxPayloadLength = 16 * 1024 * 1024;
  b.idleTimeout = 0;
  b.maxBackpressure = 64 * 1024 * 1024;
  b.sendPingsAutomatically = false;
  handlers(b);
  return b;
}

int parse_port(int argc, char** argv) {
  int port = 8000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--ping-ms") != 0 && std::strcmp(argv[i], "--shards") != 0) {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      std::exit(2);
    }
  }
  return port;
}

}  // namespace

int main(int argc, char** argv) {
  const int port = parse_port(argc, argv);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);

  uWS::App app;
  uWS::App* self = &app;
  app.ws<PerSocket>("/echo", behavior([](auto& b) {
                      b.message = [](auto* ws, std::string_view message, uWS::OpCode op) {
                        ws->send(message, op);
                      };
                    }));
  app.ws<PerSocket>("/bcast", behavior([self](auto& b) {
                      b.open = [](auto* ws) { ws->subscribe("everyone"); };
                      b.message = [self](auto*, std::string_view message, uWS::OpCode op) {
                        self->publish("everyone", message, op);
                      };
                    }));
  app.listen("127.0.0.1", port, [port](us_listen_socket_t* listening) {
    if (listening == nullptr) {
      std::fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", port);
      std::exit(1);
    }
    std::printf("listening on http://127.0.0.1:%d\n", port);
    std::fflush(stdout);
  });

  // A signal handler may not touch the loop: a timer looks at the flag five times a second.
  // Closing every socket and the timer leaves the loop with nothing to wait for, and run()
  // returns.
  struct Stopper {
    uWS::App* app;
  };
  us_timer_t* timer =
      us_create_timer(reinterpret_cast<us_loop_t*>(uWS::Loop::get()), 0, sizeof(Stopper));
  new (us_timer_ext(timer)) Stopper{&app};
  us_timer_set(
      timer,
      [](us_timer_t* t) {
        if (stop_requested == 0) return;
        static_cast<Stopper*>(us_timer_ext(t))->app->close();
        us_timer_close(t);
      },
      200, 200);
  app.run();
  return 0;
}
