#include "switchboard/log/logger.hpp"

#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <string>

namespace switchboard::log {

namespace detail {
std::atomic<std::uint8_t> g_threshold{static_cast<std::uint8_t>(Level::Warn)};
}  // namespace detail

namespace {

std::atomic<std::uint8_t> g_format{static_cast<std::uint8_t>(Format::Text)};

// The sink, swapped under a mutex and copied out of it (a record never writes under the lock,
// so a slow sink holds up only its own thread).
std::mutex g_sink_mutex;
std::shared_ptr<const Sink> g_sink;  // null: stderr
// Whether g_sink is set: the default sink takes no lock.
std::atomic<bool> g_has_sink{false};

std::shared_ptr<const Sink> current_sink() {
  if (!g_has_sink.load(std::memory_order_acquire)) return nullptr;
  std::lock_guard lock(g_sink_mutex);
  return g_sink;
}

// The whole line in one write(2): a pipe or file gets it unbroken (the kernel writes up to
// PIPE_BUF bytes to a pipe atomically, and records are bounded well below most of that).
void write_stderr(std::string_view line) noexcept {
  while (!line.empty()) {
    auto n = ::write(STDERR_FILENO, line.data(), line.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere to report it
    }
    line.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

void set_level(Level level) noexcept {
  detail::g_threshold.store(static_cast<std::uint8_t>(level), std::memory_order_relaxed);
}

Level level() noexcept {
  return static_cast<Level>(detail::g_threshold.load(std::memory_order_relaxed));
}

void set_format(Format format) noexcept {
  g_format.store(static_cast<std::uint8_t>(format), std::memory_order_relaxed);
}

Format format() noexcept {
  return static_cast<Format>(g_format.load(std::memory_order_relaxed));
}

void set_sink(Sink sink) {
  auto next = sink ? std::make_shared<const Sink>(std::move(sink)) : nullptr;
  std::lock_guard lock(g_sink_mutex);
  g_has_sink.store(next != nullptr, std::memory_order_release);
  g_sink = std::move(next);
}

void write(Level level, std::string_view message, std::span<const Field> fields) noexcept {
  if (!enabled(level)) return;
  try {
    // A buffer per thread, reused: after the first records, formatting allocates nothing.
    thread_local std::string line;
    line.clear();
    format_record(line, format(), std::chrono::system_clock::now(), level, message, fields);
    if (auto sink = current_sink()) {
      (*sink)(level, line);
    } else {
      write_stderr(line);
    }
    if (line.capacity() > 64 * 1024) std::string().swap(line);
  } catch (...) {
    // Out of memory, or a sink that threw: the record is lost, the caller carries on.
  }
}

}  // namespace switchboard::log
