#include "modes.hpp"
#include "report.hpp"

namespace switchboard::bench {

Target make_target(const Options& o, std::string path) {
  return {.host = o.host,
          .port = o.port,
          .path = std::move(path),
          .protocol = o.protocol,
          .sources = o.sources,
          .max_pending = o.max_pending};
}

bool connect_all(Driver& driver, std::size_t count, double timeout_s) {
  driver.open(count);
  const std::uint64_t deadline = now_ns() + to_ns(timeout_s);
  while (driver.ready() < count && driver.failed() == 0 && now_ns() < deadline) driver.poll(10);
  return driver.ready() == count && driver.failed() == 0;
}

int setup_failed(const Options& options, const Driver& driver, std::size_t wanted) {
  Report(options)
      .add("ok", false)
      .add("error", "setup failed: " + (driver.last_error().empty() ? std::string("timeout")
                                                                    : driver.last_error()))
      .add("connections", static_cast<std::uint64_t>(wanted))
      .add("ready", static_cast<std::uint64_t>(driver.ready()))
      .print();
  return 3;
}

}  // namespace switchboard::bench
