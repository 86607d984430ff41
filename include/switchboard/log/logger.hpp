#pragma once
/// The process's log: one threshold, one format and one sink, shared by every layer and the
/// program that uses them (docs/logging.md). Safe to call from any thread: each record is
/// formatted on the calling thread and handed to the sink whole, which the default sink
/// writes to stderr with one write(2), so records of concurrent shards never interleave.
///
///     log::set_level(log::Level::Info);
///     log::info("room created", {{"room", name}, {"members", count}});
///
/// A call below the threshold costs one relaxed atomic load: fields are views, nothing is
/// formatted or allocated. A caller that would compute a value only for the log checks
/// `log::enabled(level)` first.

#include <atomic>
#include <functional>
#include <initializer_list>
#include <span>
#include <string_view>

#include "switchboard/log/field.hpp"
#include "switchboard/log/format.hpp"
#include "switchboard/log/level.hpp"

namespace switchboard::log {

namespace detail {
/// The threshold (a Level), read on every call.
extern std::atomic<std::uint8_t> g_threshold;
}  // namespace detail

/// Receives each record written: its level and its formatted line, ending in '\n'. Called on
/// the thread that logged, possibly from several threads at once; must not throw, nor log.
using Sink = std::function<void(Level level, std::string_view line)>;

/// True when a record of `level` would be written (never for Level::Off).
inline bool enabled(Level level) noexcept {
  return level != Level::Off &&
         static_cast<std::uint8_t>(level) >= detail::g_threshold.load(std::memory_order_relaxed);
}

/// Sets the threshold: records below `level` are dropped (Off drops all). Default: Warn.
void set_level(Level level) noexcept;

/// The threshold.
Level level() noexcept;

/// Sets how records are written. Default: Text.
void set_format(Format format) noexcept;

/// The format.
Format format() noexcept;

/// Sends every record to `sink` from now on; an empty one restores the default (stderr).
/// Records being written while it changes go to the old sink or the new one, whole.
void set_sink(Sink sink);

/// Writes a record when `level` is enabled; never throws (a record that cannot be formatted
/// or written is lost).
void write(Level level, std::string_view message, std::span<const Field> fields) noexcept;

/// Writes a record when `level` is enabled (fields given in braces).
inline void write(Level level, std::string_view message,
                  std::initializer_list<Field> fields = {}) noexcept {
  if (enabled(level)) write(level, message, std::span<const Field>(fields.begin(), fields.size()));
}

/// A record of level Trace: step-by-step detail for debugging switchboard itself.
inline void trace(std::string_view message, std::initializer_list<Field> fields = {}) noexcept {
  write(Level::Trace, message, fields);
}
/// A record of level Debug: routine events an operator does not usually want (a client
/// that closed its connection).
inline void debug(std::string_view message, std::initializer_list<Field> fields = {}) noexcept {
  write(Level::Debug, message, fields);
}
/// A record of level Info: what an operator follows (requests, connections the server
/// closed and why).
inline void info(std::string_view message, std::initializer_list<Field> fields = {}) noexcept {
  write(Level::Info, message, fields);
}
/// A record of level Warn: something wrong that the server survives (a handler threw).
inline void warn(std::string_view message, std::initializer_list<Field> fields = {}) noexcept {
  write(Level::Warn, message, fields);
}
/// A record of level Error: something that stops a part of the server from working.
inline void error(std::string_view message, std::initializer_list<Field> fields = {}) noexcept {
  write(Level::Error, message, fields);
}

}  // namespace switchboard::log
