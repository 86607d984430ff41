#include "report.hpp"

#include <cmath>
#include <cstdio>

#include "proc_stats.hpp"

namespace switchboard::bench {

void ServerMeter::start() {
  begin_ = process_cpu_seconds(pid_);
}
void ServerMeter::stop() {
  end_ = process_cpu_seconds(pid_);
}

std::optional<double> ServerMeter::cpu_seconds() const {
  if (!begin_ || !end_) return std::nullopt;
  return *end_ - *begin_;
}

Report::Report(const Options& options) {
  add("mode", options.mode);
  add("proto", std::string_view(options.protocol == Protocol::SocketIO ? "sio" : "ws"));
  if (!options.label.empty()) add("label", options.label);
}

Report& Report::raw(std::string_view key, std::string_view json) {
  text_ += text_.empty() ? "{\"" : ",\"";
  text_ += key;
  text_ += "\":";
  text_ += json;
  return *this;
}

Report& Report::add(std::string_view key, double value) {
  if (!std::isfinite(value)) return raw(key, "null");
  char number[64];
  std::snprintf(number, sizeof number, "%.6g", value);
  return raw(key, number);
}

Report& Report::add(std::string_view key, std::uint64_t value) {
  return raw(key, std::to_string(value));
}

Report& Report::add(std::string_view key, bool value) {
  return raw(key, value ? "true" : "false");
}

Report& Report::add(std::string_view key, std::string_view value) {
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  quoted += '"';
  return raw(key, quoted);
}

Report& Report::add_latency(std::string_view key, const Histogram& h) {
  char json[160];
  std::snprintf(
      json, sizeof json, "{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"count\":%llu}",
      static_cast<double>(h.quantile(0.5)) / 1e3, static_cast<double>(h.quantile(0.99)) / 1e3,
      static_cast<double>(h.quantile(0.999)) / 1e3, static_cast<unsigned long long>(h.count()));
  return raw(key, json);
}

Report& Report::add_faults(const Faults& f) {
  char json[200];
  std::snprintf(
      json, sizeof json,
      "{\"lost\":%llu,\"duplicated\":%llu,\"reordered\":%llu,\"corrupted\":%llu,"
      "\"disconnected\":%llu}",
      static_cast<unsigned long long>(f.lost), static_cast<unsigned long long>(f.duplicated),
      static_cast<unsigned long long>(f.reordered), static_cast<unsigned long long>(f.corrupted),
      static_cast<unsigned long long>(f.disconnected));
  return raw("faults", json);
}

Report& Report::add_server_cpu(const ServerMeter& meter, double duration_s, double count,
                               std::string_view per_cpu_key) {
  auto cpu = meter.cpu_seconds();
  if (!cpu) return raw("server_cpu_s", "null");
  add("server_cpu_s", *cpu);
  add("server_cpu_util", *cpu / duration_s);
  return add(per_cpu_key, *cpu > 0 ? count / *cpu : NAN);
}

void Report::print() const {
  std::printf("%s}\n", text_.c_str());
  std::fflush(stdout);
}

}  // namespace switchboard::bench
