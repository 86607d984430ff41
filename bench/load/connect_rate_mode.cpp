// connect-rate: keeps --connections handshakes going at once; each connection that completes
// (raw WebSocket: the 101; Socket.IO: the namespace CONNECT reply) is counted, reset and
// replaced by a new one.
#include "histogram.hpp"
#include "modes.hpp"
#include "report.hpp"

namespace switchboard::bench {
namespace {

Target reset_target(const Options& o) {
  Target t = make_target(o, "/echo");
  t.max_pending = static_cast<unsigned>(o.connections);
  t.reset_on_close = true;  // no TIME_WAIT: the ephemeral ports last the whole run
  return t;
}

class ConnectRateMode final : public Handler {
 public:
  explicit ConnectRateMode(const Options& o) : options_(o), driver_(reset_target(o), *this) {}

  int run() {
    ServerMeter meter(options_.server_pid);
    const std::uint64_t begin = now_ns();
    window_begin_ = begin + to_ns(options_.warmup_s);
    window_end_ = window_begin_ + to_ns(options_.duration_s);
    driver_.open(options_.connections);
    bool metered = false;
    for (std::uint64_t now = begin; now < window_end_; now = now_ns()) {
      if (!metered && now >= window_begin_) {
        meter.start();
        metered = true;
      }
      driver_.poll(1);
    }
    meter.stop();
    const double rate = static_cast<double>(completed_) / options_.duration_s;
    Report r(options_);
    r.add("ok", !faults_.any())
        .add("concurrency", static_cast<std::uint64_t>(options_.connections))
        .add("duration_s", options_.duration_s)
        .add("handshakes", completed_)
        .add("handshakes_per_s", rate)
        .add_latency("handshake_us", latency_)
        .add_server_cpu(meter, static_cast<double>(completed_), "handshakes_per_server_cpu_s");
    if (faults_.any()) r.add("error", driver_.last_error());
    r.add_faults(faults_).print();
    return faults_.any() ? 1 : 0;
  }

  void on_ready(Conn& conn) override {
    const std::uint64_t now = now_ns();
    if (now >= window_begin_ && now < window_end_) {
      ++completed_;
      latency_.record(now - conn.started_ns);
    }
    driver_.close(conn);
    if (now < window_end_) driver_.open(1);
  }

  void on_message(Conn&, std::string_view, std::string_view) override {}

  void on_closed(Conn&, std::string_view) override {
    ++faults_.disconnected;
    if (now_ns() < window_end_) driver_.open(1);
  }

 private:
  const Options& options_;
  Driver driver_;
  Histogram latency_;
  Faults faults_;
  std::uint64_t window_begin_ = 0;
  std::uint64_t window_end_ = 0;
  std::uint64_t completed_ = 0;
};

}  // namespace

int run_connect_rate(const Options& options) {
  ConnectRateMode mode(options);
  return mode.run();
}

}  // namespace switchboard::bench
