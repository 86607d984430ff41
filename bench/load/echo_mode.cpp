// ws-echo and sio-echo: every connection keeps --inflight messages at the server; each reply
// is checked (sender, order, checksum) and its round trip timed, then the next one goes out.
#include <vector>

#include "histogram.hpp"
#include "modes.hpp"
#include "payload.hpp"
#include "report.hpp"

namespace switchboard::bench {
namespace {

class EchoMode final : public Handler {
 public:
  explicit EchoMode(const Options& o) : options_(o), driver_(make_target(o, "/echo"), *this) {}

  int run() {
    if (!connect_all(driver_, options_.connections, 60)) {
      return setup_failed(options_, driver_, options_.connections);
    }
    ServerMeter meter(options_.server_pid);
    const std::uint64_t begin = now_ns();
    window_begin_ = begin + to_ns(options_.warmup_s);
    window_end_ = window_begin_ + to_ns(options_.duration_s);
    sending_ = true;
    for (Conn* c : conns_) {
      for (std::size_t i = 0; i < options_.inflight; ++i) send_next(*c);
    }
    bool metered = false;
    for (std::uint64_t now = begin; now < window_end_; now = now_ns()) {
      if (!metered && now >= window_begin_) {
        meter.start();
        metered = true;
      }
      driver_.poll(1);
    }
    sending_ = false;
    const std::uint64_t deadline = now_ns() + to_ns(options_.grace_s);
    while (outstanding() > 0 && driver_.ready() > 0 && now_ns() < deadline) driver_.poll(1);
    meter.stop();
    faults_.lost += outstanding();
    return report(meter);
  }

  void on_ready(Conn& conn) override {
    if (streams_.size() <= conn.slot) streams_.resize(conn.slot + 1);
    conns_.push_back(&conn);
  }

  void on_message(Conn& conn, std::string_view name, std::string_view data) override {
    const std::uint64_t now = now_ns();
    Stream& s = streams_[conn.slot];
    auto fields = parse_payload(data);
    if (!fields || fields->stream != conn.slot ||
        (options_.protocol == Protocol::SocketIO && name != "echo")) {
      ++faults_.corrupted;
      return;
    }
    if (fields->seq < s.next_recv || fields->seq >= s.next_send) {
      ++faults_.duplicated;
      return;
    }
    if (fields->seq > s.next_recv) {
      ++faults_.reordered;
      faults_.lost += fields->seq - s.next_recv;  // skipped; never counted as outstanding again
    }
    s.next_recv = fields->seq + 1;
    if (fields->sent_ns >= window_begin_ && now <= window_end_) {
      rtt_.record(now - fields->sent_ns);
    }
    if (now >= window_begin_ && now <= window_end_) ++received_in_window_;
    if (sending_) send_next(conn);
  }

  void on_closed(Conn&, std::string_view) override { ++faults_.disconnected; }

 private:
  struct Stream {
    std::uint64_t next_send = 0;
    std::uint64_t next_recv = 0;
  };

  void send_next(Conn& conn) {
    Stream& s = streams_[conn.slot];
    scratch_.clear();
    append_payload(scratch_, {.stream = conn.slot, .seq = s.next_send++, .sent_ns = now_ns()},
                   options_.payload);
    driver_.send(conn, "echo", scratch_);
  }

  std::uint64_t outstanding() const {
    std::uint64_t n = 0;
    for (const Conn* c : conns_) {
      if (c->state == Conn::State::Ready) {
        n += streams_[c->slot].next_send - streams_[c->slot].next_recv;
      }
    }
    return n;
  }

  int report(const ServerMeter& meter) {
    const double rate = static_cast<double>(received_in_window_) / options_.duration_s;
    Report r(options_);
    r.add("ok", !faults_.any())
        .add("connections", static_cast<std::uint64_t>(options_.connections))
        .add("inflight", static_cast<std::uint64_t>(options_.inflight))
        .add("payload", static_cast<std::uint64_t>(options_.payload))
        .add("duration_s", options_.duration_s)
        .add("messages", received_in_window_)
        .add("msgs_per_s", rate)
        .add_latency("rtt_us", rtt_)
        .add_server_cpu(meter, static_cast<double>(received_in_window_), "msgs_per_server_cpu_s")
        .add_faults(faults_)
        .print();
    return faults_.any() ? 1 : 0;
  }

  const Options& options_;
  Driver driver_;
  std::vector<Conn*> conns_;
  std::vector<Stream> streams_;
  Histogram rtt_;
  Faults faults_;
  std::string scratch_;
  std::uint64_t window_begin_ = 0;
  std::uint64_t window_end_ = 0;
  std::uint64_t received_in_window_ = 0;
  bool sending_ = false;
};

}  // namespace

int run_echo(const Options& options) {
  EchoMode mode(options);
  return mode.run();
}

}  // namespace switchboard::bench
