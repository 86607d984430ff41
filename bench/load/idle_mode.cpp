// idle: opens --connections connections (raw WebSocket /echo, or Socket.IO joined to the main
// namespace), holds them for --hold seconds answering pings, and reports how much the server's
// resident memory grew per connection: over all of them (rss_per_conn_bytes), and over all but
// the first tenth (rss_marginal_per_conn_bytes, without the server's one-time costs).
#include <algorithm>
#include <optional>

#include "modes.hpp"
#include "proc_stats.hpp"
#include "report.hpp"

namespace switchboard::bench {
namespace {

class IdleMode final : public Handler {
 public:
  explicit IdleMode(const Options& o) : options_(o), driver_(make_target(o, "/echo"), *this) {}

  int run() {
    const auto before = process_rss_kib(options_.server_pid);
    const std::uint64_t begin = now_ns();
    // A first tenth of the connections also pays for what the server sets up once (code paths
    // and libraries touched for the first time, OpenSSL's state, pools); what the rest add is
    // what one more connection costs.
    const std::size_t warm = std::max<std::size_t>(1, options_.connections / 10);
    if (!connect_all(driver_, warm, 300)) return setup_failed(options_, driver_, warm);
    const auto warmed = process_rss_kib(options_.server_pid);
    driver_.open(options_.connections - warm);
    const std::uint64_t deadline = now_ns() + to_ns(300);
    while (driver_.ready() < options_.connections && driver_.failed() == 0 && now_ns() < deadline) {
      driver_.poll(10);
    }
    if (driver_.ready() != options_.connections || driver_.failed() != 0) {
      return setup_failed(options_, driver_, options_.connections);
    }
    const double connect_s = static_cast<double>(now_ns() - begin) / 1e9;
    const std::uint64_t hold_end = now_ns() + to_ns(options_.hold_s);
    while (now_ns() < hold_end) driver_.poll(50);
    const auto after = process_rss_kib(options_.server_pid);
    const auto n = static_cast<double>(options_.connections);
    Report r(options_);
    r.add("ok", !faults_.any())
        .add("connections", static_cast<std::uint64_t>(options_.connections))
        .add("held", static_cast<std::uint64_t>(driver_.ready()))
        .add("connect_s", connect_s)
        .add("hold_s", options_.hold_s);
    if (before && after) {
      r.add("server_rss_before_kib", static_cast<std::uint64_t>(*before))
          .add("server_rss_after_kib", static_cast<std::uint64_t>(*after))
          .add("rss_per_conn_bytes", static_cast<double>(*after - *before) * 1024.0 / n);
    }
    if (warmed && after && options_.connections > warm) {
      r.add("server_rss_warm_kib", static_cast<std::uint64_t>(*warmed))
          .add("rss_marginal_per_conn_bytes", static_cast<double>(*after - *warmed) * 1024.0 /
                                                  static_cast<double>(options_.connections - warm));
    }
    r.add_faults(faults_).print();
    return faults_.any() ? 1 : 0;
  }

  void on_ready(Conn&) override {}
  void on_message(Conn&, std::string_view, std::string_view) override {}
  void on_closed(Conn&, std::string_view) override { ++faults_.disconnected; }

 private:
  const Options& options_;
  Driver driver_;
  Faults faults_;
};

}  // namespace

int run_idle(const Options& options) {
  IdleMode mode(options);
  return mode.run();
}

}  // namespace switchboard::bench
