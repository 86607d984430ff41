#pragma once
/// The load generator's command line.

#include <cstdint>
#include <optional>
#include <string>

#include <sys/types.h>

#include "driver.hpp"

namespace switchboard::bench {

/// Every mode's settings; which ones a mode reads is in its usage line.
struct Options {
  std::string mode;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  /// Raw WebSocket or Socket.IO: from the mode's prefix (ws-, sio-) or --proto.
  Protocol protocol = Protocol::WebSocket;
  std::size_t connections = 100;
  std::size_t inflight = 1;
  std::size_t payload = 64;
  double duration_s = 5;
  double warmup_s = 1;
  /// Longest wait, after sending stops, for the last messages.
  double grace_s = 5;
  /// Broadcast: messages per second from the publisher.
  double rate = 100;
  /// Broadcast: 0 makes this process a subscriber only (another process publishes).
  bool publish = true;
  /// Broadcast: this publisher's stream number, unique among cooperating processes.
  std::uint64_t tag = 0;
  /// chat-broadcast: the chat room every connection joins (ws/chat/<room>/).
  std::string room = "bench";
  /// Idle: how long to hold the connections after the last one is up.
  double hold_s = 2;
  pid_t server_pid = 0;
  unsigned sources = 0;
  unsigned max_pending = 256;
  /// Copied into the result line, for the scripts.
  std::string label;
};

/// Parses argv; prints the usage and returns nullopt on --help or a bad option.
std::optional<Options> parse_options(int argc, char** argv, bool& asked_for_help);

}  // namespace switchboard::bench
