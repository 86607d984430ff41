// switchboard-bench: the load generator. See options.cpp for the modes and their options.
#include <csignal>
#include <cstdio>
#include <exception>

#include "modes.hpp"
#include "proc_stats.hpp"

using namespace switchboard::bench;

int main(int argc, char** argv) {
  bool help = false;
  auto options = parse_options(argc, argv, help);
  if (!options) return help ? 0 : 2;
  std::signal(SIGPIPE, SIG_IGN);
  const long files = raise_fd_limit();
  if (static_cast<long>(options->connections) + 64 > files) {
    std::fprintf(stderr, "switchboard-bench: %zu connections exceed the open-file limit %ld\n",
                 options->connections, files);
    return 2;
  }
  try {
    if (options->mode.ends_with("echo")) return run_echo(*options);
    if (options->mode.ends_with("broadcast")) return run_broadcast(*options);
    if (options->mode == "idle") return run_idle(*options);
    return run_connect_rate(*options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "switchboard-bench: %s\n", e.what());
    return 3;
  }
}
