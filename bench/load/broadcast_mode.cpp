// ws-broadcast and sio-broadcast: one publisher sends --rate messages per second to /bcast (or
// the "bcast" event); chat-broadcast posts them to the chat service's room --room over its
// WebSocket transport (ws/chat/<room>/: {"message": payload} in, {"message": payload, "user",
// "id", ...} out), where the publisher's own copy is its post, accepted and stored. Every
// subscriber checks each delivery (order per publisher, checksum) and times it from the send
// timestamp in the payload. Latency in the first and last third of the window is compared: when it
// grows, the server did not sustain the rate.
//
// Far beyond what the server sustains, the messages sent in the window may never arrive: the
// server is still delivering the warm-up's. Such a run must not read as a server that delivered
// nothing, so the line also counts every delivery whenever sent ("received", against
// "expected" = published x receivers; received + lost = expected), the deliveries that arrived
// in the window ("arrivals_per_s": what the server managed), the publisher's bytes the server had
// not read when the window ended, and how old the oldest missing message was at the end.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "histogram.hpp"
#include "modes.hpp"
#include "payload.hpp"
#include "report.hpp"

namespace switchboard::bench {
namespace {

class BroadcastMode final : public Handler {
 public:
  explicit BroadcastMode(const Options& o)
      : options_(o),
        chat_(o.mode == "chat-broadcast"),
        driver_(make_target(o, chat_ ? "/ws/chat/" + o.room + "/?name=bench" + std::to_string(o.tag)
                                     : std::string("/bcast")),
                *this) {}

  int run() {
    const std::size_t total = options_.connections + (options_.publish ? 1 : 0);
    if (!connect_all(driver_, total, 120)) return setup_failed(options_, driver_, total);
    if (options_.publish) publisher_ = conns_.front();
    ServerMeter meter(options_.server_pid);
    begin_ = now_ns();
    window_begin_ = begin_ + to_ns(options_.warmup_s);
    window_end_ = window_begin_ + to_ns(options_.duration_s);
    bool metered = false;
    for (std::uint64_t now = begin_; now < window_end_; now = now_ns()) {
      if (!metered && now >= window_begin_) {
        meter.start();
        metered = true;
      }
      publish_due(now);
      driver_.poll(1);
    }
    if (publisher_ != nullptr) backlog_at_end_ = Driver::backlog(*publisher_);
    // The window's messages are the server's work until they are delivered: meter until then.
    const std::uint64_t stopped = now_ns();
    const std::uint64_t deadline = stopped + to_ns(options_.grace_s);
    while (undelivered() > 0 && driver_.ready() > 0 && now_ns() < deadline) driver_.poll(1);
    meter.stop();
    const std::uint64_t ended = now_ns();
    if (!options_.publish) {
      // A subscriber only cannot tell what is still on its way: it listens for --grace more
      // seconds (unmetered: the publisher's process meters the rest of the work) so that the
      // window's messages that arrive late still count.
      while (driver_.ready() > 0 && now_ns() < deadline) driver_.poll(1);
    }
    drain_s_ = static_cast<double>(ended - stopped) / 1e9;
    undelivered_age_s_ = oldest_undelivered_age_s(ended);
    receivers_ = live_receivers();
    faults_.lost += undelivered();
    return report(meter);
  }

  void on_ready(Conn& conn) override {
    if (subscribers_.size() <= conn.slot) subscribers_.resize(conn.slot + 1);
    conns_.push_back(&conn);
  }

  void on_message(Conn& conn, std::string_view name, std::string_view data) override {
    const std::uint64_t now = now_ns();
    if (chat_) data = chat_text(data);
    auto fields = parse_payload(data);
    if (!fields || (options_.protocol == Protocol::SocketIO && name != "bcast")) {
      ++faults_.corrupted;
      return;
    }
    if (!check_order(subscribers_[conn.slot], *fields)) return;
    if (options_.publish && fields->stream == options_.tag) ++received_;
    if (&conn == publisher_) return;  // its own copy is checked, not counted
    if (now >= window_begin_ && now < window_end_) ++arrivals_;
    if (fields->sent_ns < window_begin_ || fields->sent_ns >= window_end_) return;
    ++delivered_;
    const std::uint64_t latency = now - fields->sent_ns;
    latency_.record(latency);
    const auto third = std::min<std::uint64_t>(
        2, (fields->sent_ns - window_begin_) * 3 / (window_end_ - window_begin_));
    thirds_[third].record(latency);
  }

  void on_closed(Conn&, std::string_view) override { ++faults_.disconnected; }

 private:
  /// Next expected sequence number per publisher tag, as one subscriber saw them.
  struct Subscriber {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> next;
  };

  /// The text of a chat message frame ({"message":"<text>",...}); empty when it is not one.
  static std::string_view chat_text(std::string_view frame) {
    constexpr std::string_view head = "{\"message\":\"";
    if (!frame.starts_with(head)) return {};
    frame.remove_prefix(head.size());
    return frame.substr(0, frame.find('"'));
  }

  /// True when the message is the next one of its publisher. Our own publisher starts at 0;
  /// another process's publisher at whatever arrives first.
  bool check_order(Subscriber& s, const PayloadFields& f) {
    auto it = std::find_if(s.next.begin(), s.next.end(),
                           [&](const auto& p) { return p.first == f.stream; });
    if (it == s.next.end()) {
      const bool ours = options_.publish && f.stream == options_.tag;
      s.next.emplace_back(f.stream, ours ? 0 : f.seq);
      it = s.next.end() - 1;
    }
    if (f.seq < it->second) {
      ++faults_.duplicated;
      return false;
    }
    if (f.seq > it->second) {
      ++faults_.reordered;
      faults_.lost += f.seq - it->second;
    }
    it->second = f.seq + 1;
    return true;
  }

  void publish_due(std::uint64_t now) {
    if (publisher_ == nullptr || publisher_->state != Conn::State::Ready) return;
    const auto due =
        static_cast<std::uint64_t>(static_cast<double>(now - begin_) / 1e9 * options_.rate) + 1;
    for (int burst = 0; sent_ < due && burst < 1000; ++burst) {
      scratch_.clear();
      if (chat_) scratch_ = "{\"message\":\"";
      append_payload(scratch_, {.stream = options_.tag, .seq = sent_++, .sent_ns = now},
                     options_.payload);
      if (chat_) scratch_ += "\"}";
      driver_.send(*publisher_, "bcast", scratch_);
    }
  }

  /// The next sequence number of our publisher that `conn` expects.
  std::uint64_t next_of(const Conn& conn) const {
    for (const auto& [tag, seq] : subscribers_[conn.slot].next) {
      if (tag == options_.tag) return seq;
    }
    return 0;
  }

  /// Messages of our publisher that live connections (its own included) have not received yet.
  std::uint64_t undelivered() const {
    if (!options_.publish) return 0;
    std::uint64_t n = 0;
    for (const Conn* c : conns_) {
      if (c->state == Conn::State::Ready) n += sent_ - next_of(*c);
    }
    return n;
  }

  /// Live connections that receive our publisher's messages (its own included).
  std::uint64_t live_receivers() const {
    if (!options_.publish) return 0;
    return static_cast<std::uint64_t>(
        std::count_if(conns_.begin(), conns_.end(),
                      [](const Conn* c) { return c->state == Conn::State::Ready; }));
  }

  /// Seconds since the oldest message some live connection still lacks was due; 0 when none.
  /// Its due time, not its send time: no per-message record is kept, and sending is never
  /// earlier than due.
  double oldest_undelivered_age_s(std::uint64_t now) const {
    if (!options_.publish || options_.rate <= 0) return 0;
    std::uint64_t oldest = sent_;
    for (const Conn* c : conns_) {
      if (c->state == Conn::State::Ready) oldest = std::min(oldest, next_of(*c));
    }
    if (oldest == sent_) return 0;
    const std::uint64_t due = begin_ + to_ns(static_cast<double>(oldest) / options_.rate);
    return now > due ? static_cast<double>(now - due) / 1e9 : 0;
  }

  int report(const ServerMeter& meter) {
    const double rate = static_cast<double>(delivered_) / options_.duration_s;
    const double first = static_cast<double>(thirds_[0].quantile(0.5));
    const double last = static_cast<double>(thirds_[2].quantile(0.5));
    // Sustained: no backlog built up. The last messages arrived soon after the window ended,
    // and latency did not grow across it (loopback jitters, hence the 5 ms allowance).
    const bool sustained = !faults_.any() && delivered_ > 0 && last <= 2 * first + 5e6 &&
                           drain_s_ <= std::max(0.25, options_.duration_s / 10);
    Report r(options_);
    r.add("ok", !faults_.any())
        .add("connections", static_cast<std::uint64_t>(options_.connections))
        .add("payload", static_cast<std::uint64_t>(options_.payload))
        .add("rate", options_.rate)
        .add("duration_s", options_.duration_s)
        .add("published", sent_)
        .add("deliveries", delivered_)
        .add("deliveries_per_s", rate)
        .add("arrivals_per_s", static_cast<double>(arrivals_) / options_.duration_s)
        .add("expected", sent_ * receivers_)
        .add("received", received_)
        .add("publisher_backlog_kb", static_cast<double>(backlog_at_end_) / 1024)
        .add("undelivered_age_s", undelivered_age_s_)
        .add_latency("latency_us", latency_)
        .add("latency_p50_first_third_us", first / 1e3)
        .add("latency_p50_last_third_us", last / 1e3)
        .add("drain_s", drain_s_)
        .add("sustained", sustained)
        .add_server_cpu(meter, static_cast<double>(delivered_), "deliveries_per_server_cpu_s")
        .add_faults(faults_)
        .print();
    return faults_.any() ? 1 : 0;
  }

  const Options& options_;
  const bool chat_;
  Driver driver_;
  std::vector<Conn*> conns_;
  std::vector<Subscriber> subscribers_;
  Conn* publisher_ = nullptr;
  Histogram latency_;
  std::array<Histogram, 3> thirds_;
  Faults faults_;
  std::string scratch_;
  std::uint64_t begin_ = 0;
  std::uint64_t window_begin_ = 0;
  std::uint64_t window_end_ = 0;
  std::uint64_t sent_ = 0;
  /// Deliveries of messages sent in the window (to subscribers): the rate the run measures.
  std::uint64_t delivered_ = 0;
  /// Deliveries to subscribers that arrived in the window, whenever sent.
  std::uint64_t arrivals_ = 0;
  /// Every in-order delivery of our publisher's messages, its own copies included.
  std::uint64_t received_ = 0;
  std::uint64_t receivers_ = 0;
  std::size_t backlog_at_end_ = 0;
  double undelivered_age_s_ = 0;
  double drain_s_ = 0;
};

}  // namespace

int run_broadcast(const Options& options) {
  BroadcastMode mode(options);
  return mode.run();
}

}  // namespace switchboard::bench
