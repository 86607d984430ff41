#include "options.hpp"

#include <charconv>
#include <cstdio>
#include <string_view>

namespace switchboard::bench {
namespace {

constexpr const char* usage_text = R"(usage: switchboard-bench MODE [options]
modes:
  ws-echo, sio-echo            C connections, W messages in flight each, P-byte payloads
  ws-broadcast, sio-broadcast  C subscribers and one publisher sending --rate messages/s
  chat-broadcast               the same through the chat service (`switchboard serve`): C
                               members of --room on ws/chat/<room>/, the publisher posting
                               {"message": ...}; its own copy is the post accepted
  idle                         hold C connections (--proto ws|sio); server RSS per connection
  connect-rate                 C handshakes at a time (--proto ws|sio), completed per second
options:
  --host A (127.0.0.1)  --port N (8000)  --proto ws|sio
  --connections C (100)  --inflight W (1)  --payload P (64)
  --duration S (5)  --warmup S (1)  --grace S (5)  --rate R (100)  --hold S (2)
  --publish 0|1 (1)  --tag N (0)  --room NAME (bench)  --server-pid PID  --sources N (0: kernel's choice;
  N: 127.0.0.2..N+1)  --max-pending N (256)  --label TEXT
Ends with one JSON line; exit 0 when the server behaved, 1 when it lost, duplicated,
reordered or corrupted messages or dropped connections, 2 on a bad command line, 3 when
the connections could not be set up.
)";

template <class T>
bool to_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool set_option(Options& o, std::string_view name, std::string_view value) {
  std::uint64_t n = 0;
  if (name == "host") return o.host = value, true;
  if (name == "label") return o.label = value, true;
  if (name == "room") return !value.empty() && (o.room = value, true);
  if (name == "proto") {
    if (value != "ws" && value != "sio") return false;
    o.protocol = value == "ws" ? Protocol::WebSocket : Protocol::SocketIO;
    return true;
  }
  if (name == "duration") return to_number(value, o.duration_s) && o.duration_s > 0;
  if (name == "warmup") return to_number(value, o.warmup_s) && o.warmup_s >= 0;
  if (name == "grace") return to_number(value, o.grace_s) && o.grace_s >= 0;
  if (name == "rate") return to_number(value, o.rate) && o.rate > 0;
  if (name == "hold") return to_number(value, o.hold_s) && o.hold_s >= 0;
  if (!to_number(value, n)) return false;
  if (name == "port") return n > 0 && n < 65536 && (o.port = static_cast<std::uint16_t>(n), true);
  if (name == "connections") return n > 0 && (o.connections = n, true);
  if (name == "inflight") return n > 0 && (o.inflight = n, true);
  if (name == "payload") return n <= (16u << 20) && (o.payload = n, true);
  if (name == "publish") return n <= 1 && (o.publish = n == 1, true);
  if (name == "tag") return o.tag = n, true;
  if (name == "server-pid") return o.server_pid = static_cast<pid_t>(n), true;
  if (name == "sources") return n < 250 && (o.sources = static_cast<unsigned>(n), true);
  if (name == "max-pending") return n > 0 && (o.max_pending = static_cast<unsigned>(n), true);
  return false;
}

bool known_mode(std::string_view mode) {
  return mode == "ws-echo" || mode == "sio-echo" || mode == "ws-broadcast" ||
         mode == "sio-broadcast" || mode == "chat-broadcast" || mode == "idle" ||
         mode == "connect-rate";
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, bool& asked_for_help) {
  asked_for_help = false;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      asked_for_help = true;
      std::fputs(usage_text, stdout);
      return std::nullopt;
    }
    if (!arg.starts_with("--")) {
      if (!o.mode.empty() || !known_mode(arg)) {
        std::fprintf(stderr, "switchboard-bench: unknown mode %s\n%s", argv[i], usage_text);
        return std::nullopt;
      }
      o.mode = arg;
      continue;
    }
    if (i + 1 >= argc || !set_option(o, arg.substr(2), argv[i + 1])) {
      std::fprintf(stderr, "switchboard-bench: bad option %s\n%s", argv[i], usage_text);
      return std::nullopt;
    }
    ++i;
  }
  if (o.mode.empty()) {
    std::fputs(usage_text, stderr);
    return std::nullopt;
  }
  if (o.mode.starts_with("ws-") || o.mode.starts_with("chat-")) o.protocol = Protocol::WebSocket;
  if (o.mode.starts_with("sio-")) o.protocol = Protocol::SocketIO;
  return o;
}

}  // namespace switchboard::bench
