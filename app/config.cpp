#include "config.hpp"

#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "client_address.hpp"
#include "switchboard/adapter/redis_client.hpp"

namespace switchboard::app {

namespace {

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: switchboard serve [options]\n"
               "       switchboard rooms delete NAME [--data DIR | --redis URL]   remove a room\n"
               "                      and its messages\n"
               "  --address A         listen address (0.0.0.0)\n"
               "  --port N            listen port (8000; 0 picks a free one)\n"
               "  --shards N          threads (0: one per core)\n"
               "  --data DIR          where the history lives (./data)\n"
               "  --web DIR           the built web UI (web/dist)\n"
               "  --tls-cert F --tls-key F   serve HTTPS\n"
               "  --max-rooms N       most rooms that may exist (1000)\n"
               "  --room-idle-seconds N  remove rooms without messages unused this long\n"
               "                      (600; 0: never)\n"
               "  --name-burst N --name-rate R        messages, typing notices and renames\n"
               "                      per name: a burst of N, then R per second (20, 5)\n"
               "  --address-burst N --address-rate R  the same per client address, shared\n"
               "                      by everyone behind it (200, 50)\n"
               "  --room-create-burst N --room-create-per-minute R  rooms created per client\n"
               "                      address (10, 1)\n"
               "  --max-db-bytes N    cap the history database's size (0: the disk's)\n"
               "  --poll-timeout-ms N long polls are answered 204 after this (25000)\n"
               "  --allow-origin O    also accept pages from origin O (repeatable)\n"
               "  --redis URL         redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]: one node of a\n"
               "                      cluster; the history lives in Redis, not in --data\n"
               "                      (see docs/deploy.md)\n"
               "  --history-max-per-room N  with --redis, messages each room keeps at least\n"
               "                      (100000)\n"
               "  --advertise H:P     with --redis: where the other nodes reach this one over\n"
               "                      plain HTTP (127.0.0.1:PORT, or ADDRESS:PORT)\n"
               "  --trusted-proxy CIDR  the client address of a request from this proxy is\n"
               "                      its X-Forwarded-For (repeatable; none by default)\n"
               "  --presence-ttl-ms N with --redis: a node's presence lists outlive its last\n"
               "                      heartbeat by N ms (10000; people of a dead node are gone\n"
               "                      within 4N/3)\n"
               "  --metrics on|off    serve Prometheus metrics at /metrics (on)\n"
               "  --admin-password-hash H  turn on the Socket.IO Admin UI (/admin/): H is\n"
               "                      a bcrypt hash of its password (see docs/admin-ui.md)\n"
               "  --admin-user NAME   the Admin UI's user name (admin)\n"
               "  --admin-ui DIR      the Admin UI's built files (found in node_modules)\n"
               "  --admin-mode M      development (every socket, room and event) or\n"
               "                      production (statistics only)\n"
               "  --admin-readonly B  true: the Admin UI may only watch (false)\n"
               "  --log-level L       trace, debug, info, warn, error or off (info); records\n"
               "                      go to stderr (see docs/logging.md)\n"
               "  --log-format F      text (one line each) or json (one object per line) (text)\n"
               "  --access-log on|off one record per HTTP request (on)\n");
}

template <class T>
bool number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// A positive rate or burst, scaled (per minute to per second).
bool rate(std::string_view text, double& out, double scale) {
  double value = 0;
  if (!number(text, value) || !(value > 0) || value > 1e9) return false;
  out = value * scale;
  return true;
}

// on|off.
bool toggle(std::string_view text, bool& out) {
  if (text != "on" && text != "off") return false;
  out = text == "on";
  return true;
}

// Applies one option; false when it is unknown or its value is bad.
bool apply(Config& c, std::string_view name, std::string_view value) {
  if (name == "address") return c.address = value, true;
  if (name == "data") return c.data = value, true;
  if (name == "web") return c.web = value, true;
  if (name == "tls-cert") return c.tls_cert = value, true;
  if (name == "tls-key") return c.tls_key = value, true;
  if (name == "redis") return c.redis_url = value, adapter::parse_redis_url(value).has_value();
  if (name == "history-max-per-room")
    return number(value, c.history_max_per_room) && c.history_max_per_room > 0;
  if (name == "allow-origin") return c.allowed_origins.emplace_back(value), true;
  if (name == "advertise") return c.advertise = value, !value.empty();
  if (name == "trusted-proxy")
    return c.trusted_proxies.emplace_back(value), Cidr::parse(value).has_value();
  if (name == "metrics") return toggle(value, c.metrics);
  if (name == "access-log") return toggle(value, c.access_log);
  if (name == "log-level") {
    auto level = log::parse_level(value);
    if (level) c.log_level = *level;
    return level.has_value();
  }
  if (name == "log-format") {
    auto format = log::parse_format(value);
    if (format) c.log_format = *format;
    return format.has_value();
  }
  if (name == "admin-password-hash") return c.admin_password_hash = value, !value.empty();
  if (name == "admin-user") return c.admin_user = value, !value.empty();
  if (name == "admin-ui") return c.admin_ui = value, !value.empty();
  if (name == "admin-mode") {
    c.admin_production = value == "production";
    return value == "production" || value == "development";
  }
  if (name == "admin-readonly") {
    c.admin_readonly = value == "true";
    return value == "true" || value == "false";
  }
  if (name == "port") return number(value, c.port);
  if (name == "shards") return number(value, c.shards) && c.shards <= 1024;
  if (name == "max-rooms") return number(value, c.max_rooms);
  if (name == "poll-timeout-ms") return number(value, c.poll_timeout_ms);
  if (name == "presence-ttl-ms")
    return number(value, c.presence_ttl_ms) && c.presence_ttl_ms >= 300 &&
           c.presence_ttl_ms <= 3'600'000;
  if (name == "room-idle-seconds") return number(value, c.room_idle_seconds);
  if (name == "max-db-bytes") return number(value, c.max_db_bytes);
  if (name == "name-burst") return rate(value, c.limits.per_name.burst, 1);
  if (name == "name-rate") return rate(value, c.limits.per_name.per_second, 1);
  if (name == "address-burst") return rate(value, c.limits.per_address.burst, 1);
  if (name == "address-rate") return rate(value, c.limits.per_address.per_second, 1);
  if (name == "room-create-burst") return rate(value, c.limits.rooms_per_address.burst, 1);
  if (name == "room-create-per-minute")
    return rate(value, c.limits.rooms_per_address.per_second, 1.0 / 60);
  return false;
}

}  // namespace

std::optional<Config> parse_command_line(int argc, char** argv, int& exit_code) {
  Config config;
  int i = 1;
  if (i < argc && std::string_view(argv[i]) == "serve") ++i;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      exit_code = 0;
      return std::nullopt;
    }
    std::string_view value;
    std::string_view name = arg.substr(arg.starts_with("--") ? 2 : 0);
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    if (!arg.starts_with("--") || !apply(config, name, value)) {
      std::fprintf(stderr, "switchboard: bad option %s\n", argv[i]);
      usage(stderr);
      exit_code = 2;
      return std::nullopt;
    }
  }
  // With --port 0 the port is known once listening: main() fills in the address then.
  if (!config.redis_url.empty() && config.advertise.empty() && config.port != 0) {
    config.advertise = advertised_address(config, config.port);
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    std::fprintf(stderr, "switchboard: --tls-cert and --tls-key go together\n");
    exit_code = 2;
    return std::nullopt;
  }
  return config;
}

std::string advertised_address(const Config& config, std::uint16_t port) {
  bool any = config.address == "0.0.0.0" || config.address == "::";
  auto host = any                                             ? std::string("127.0.0.1")
              : config.address.find(':') != std::string::npos ? "[" + config.address + "]"
                                                              : config.address;
  return host + ":" + std::to_string(port);
}

}  // namespace switchboard::app
