#pragma once
// The command line shared by the examples: --address, --port, --shards, --tls-cert, --tls-key,
// plus options of the example itself. Header-only; include as "common/args.hpp".

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/http/server.hpp"
#include "switchboard/net/listener.hpp"

namespace switchboard::examples {

/// An option of one example, taking a non-negative integer ("--name N"), or any text when
/// `text` ("--name TEXT", empty by default).
struct Flag {
  std::string name;
  std::string help;
  std::uint64_t fallback = 0;
  bool text = false;
};

/// The parsed command line.
struct Args {
  net::ListenOptions listen{.address = "127.0.0.1", .port = 8000};
  /// 0: one shard per hardware thread.
  unsigned shards = 0;
  /// The example's own options, defaults included.
  std::map<std::string, std::uint64_t, std::less<>> flags;
  std::map<std::string, std::string, std::less<>> texts;

  /// The value of an option declared with parse_args.
  std::uint64_t flag(std::string_view name) const { return flags.find(name)->second; }
  /// The value of a text option declared with parse_args (empty when not given).
  const std::string& text(std::string_view name) const { return texts.find(name)->second; }
};

namespace detail {

[[noreturn]] inline void usage(const char* program, const std::vector<Flag>& extra, int status) {
  std::FILE* out = status == 0 ? stdout : stderr;
  std::fprintf(out, "usage: %s [--address A] [--port N] [--shards N] [--tls-cert F --tls-key F]",
               program);
  for (auto& f : extra) std::fprintf(out, " [--%s %s]", f.name.c_str(), f.text ? "TEXT" : "N");
  std::fprintf(out, "\n  --address A   listen address (127.0.0.1; 0.0.0.0 for every interface)\n");
  std::fprintf(out, "  --port N      listen port (8000; 0 picks a free one)\n");
  std::fprintf(out, "  --shards N    threads (0: one per core)\n");
  std::fprintf(out, "  --tls-cert F  --tls-key F  serve HTTPS with this PEM chain and key\n");
  for (auto& f : extra) {
    if (f.text) {
      std::fprintf(out, "  --%-12s %s\n", f.name.c_str(), f.help.c_str());
    } else {
      std::fprintf(out, "  --%-12s %s (%llu)\n", f.name.c_str(), f.help.c_str(),
                   static_cast<unsigned long long>(f.fallback));
    }
  }
  std::exit(status);
}

[[noreturn]] inline void fail(const char* program, const std::string& message) {
  std::fprintf(stderr, "%s: %s (see --help)\n", program, message.c_str());
  std::exit(2);
}

inline bool to_number(std::string_view text, std::uint64_t max, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size() && out <= max;
}

}  // namespace detail

/// Parses argv ("--name value" or "--name=value"). Prints usage and exits 0 on --help; prints
/// the error and exits 2 on a bad option or unreadable TLS files.
///
///     auto args = examples::parse_args(argc, argv, {{"tick-ms", "clock period", 100}});
///     net::Runtime runtime({.shards = args.shards});
inline Args parse_args(int argc, char** argv, const std::vector<Flag>& extra = {}) {
  const char* program = argc > 0 ? argv[0] : "example";
  Args args;
  for (auto& f : extra) {
    if (f.text) {
      args.texts[f.name];
    } else {
      args.flags[f.name] = f.fallback;
    }
  }
  std::string cert, key;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") detail::usage(program, extra, 0);
    if (!arg.starts_with("--")) detail::fail(program, "unexpected argument " + std::string(arg));
    std::string name(arg.substr(2));
    std::string value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      detail::fail(program, "--" + name + " needs a value");
    }
    std::uint64_t n = 0;
    if (name == "address") {
      args.listen.address = value;
    } else if (name == "tls-cert") {
      cert = value;
    } else if (name == "tls-key") {
      key = value;
    } else if (name == "port" && detail::to_number(value, 65535, n)) {
      args.listen.port = static_cast<std::uint16_t>(n);
    } else if (name == "shards" && detail::to_number(value, 1024, n)) {
      args.shards = static_cast<unsigned>(n);
    } else if (args.texts.contains(name)) {
      args.texts[name] = value;
    } else if (args.flags.contains(name) &&
               detail::to_number(value, std::numeric_limits<std::uint32_t>::max(), n)) {
      args.flags[name] = n;
    } else {
      detail::fail(program, "bad option --" + name + " " + value);
    }
  }
  if (cert.empty() != key.empty()) detail::fail(program, "--tls-cert and --tls-key go together");
  if (!cert.empty()) {
    try {
      args.listen.tls = net::TlsContext::from_files(cert, key);
    } catch (const std::exception& e) {
      detail::fail(program, e.what());
    }
  }
  return args;
}

/// Prints "listening on http://127.0.0.1:<port>" (https with TLS; the wildcard address shown
/// as loopback) and flushes, so that a parent process can read it.
inline void announce(const Args& args, std::uint16_t port) {
  const auto& a = args.listen.address;
  std::string host = a == "0.0.0.0" ? "127.0.0.1" : a == "::" ? "[::1]" : a;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  std::printf("listening on %s://%s:%u\n", args.listen.tls ? "https" : "http", host.c_str(),
              static_cast<unsigned>(port));
  std::fflush(stdout);
}

/// Starts listening as the command line says and announces it; false (after printing why) when
/// the address cannot be bound.
inline bool listen(http::Server& server, const Args& args) {
  try {
    server.listen(args.listen);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot listen on %s:%u: %s\n", args.listen.address.c_str(),
                 static_cast<unsigned>(args.listen.port), e.what());
    return false;
  }
  announce(args, server.port());
  return true;
}

}  // namespace switchboard::examples
