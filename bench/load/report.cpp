#include "report.hpp"

#include <cmath>
#include <cstdio>

#include <sys/resource.h>

#include "proc_stats.hpp"

namespace switchboard::bench {

namespace {

double self_cpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

void ServerMeter::start() {
  begin_ = process_cpu_times(pid_);
  wait_begin_ = process_runqueue_wait_seconds(pid_);
  self_begin_ = self_cpu();
  wall_begin_ = now_ns();
}

void ServerMeter::stop() {
  end_ = process_cpu_times(pid_);
  wait_end_ = process_runqueue_wait_seconds(pid_);
  self_end_ = self_cpu();
  wall_end_ = now_ns();
}

double ServerMeter::wall_seconds() const {
  return static_cast<double>(wall_end_ - wall_begin_) / 1e9;
}

std::optional<double> ServerMeter::cpu_seconds() const {
  if (!begin_ || !end_) return std::nullopt;
  return end_->total() - begin_->total();
}

std::optional<double> ServerMeter::runqueue_wait_seconds() const {
  if (!wait_begin_ || !wait_end_) return std::nullopt;
  return *wait_end_ - *wait_begin_;
}

std::optional<double> ServerMeter::system_share() const {
  auto total = cpu_seconds();
  if (!total || *total <= 0) return std::nullopt;
  return (end_->system - begin_->system) / *total;
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

Report& Report::add_server_cpu(const ServerMeter& meter, double count,
                               std::string_view per_cpu_key) {
  const double wall = meter.wall_seconds();
  add("metered_s", wall);
  add("generator_cpu_util", wall > 0 ? meter.self_cpu_seconds() / wall : NAN);
  auto cpu = meter.cpu_seconds();
  if (!cpu) return raw("server_cpu_s", "null");
  add("server_cpu_s", *cpu);
  add("server_cpu_util", wall > 0 ? *cpu / wall : NAN);
  add("server_sys_share", meter.system_share().value_or(NAN));
  // Runnable but not running: the server wanted its core and did not get it.
  add("server_cpu_wait", wall > 0 ? meter.runqueue_wait_seconds().value_or(NAN) / wall : NAN);
  return add(per_cpu_key, *cpu > 0 ? count / *cpu : NAN);
}

void Report::print() const {
  std::printf("%s}\n", text_.c_str());
  std::fflush(stdout);
}

}  // namespace switchboard::bench
