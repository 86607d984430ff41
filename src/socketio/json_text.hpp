#pragma once

// Appending JSON text straight into an output buffer (no temporaries).

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::socketio::detail {

/// True when `value` holds an infinite or NaN double at any depth. Boost.JSON reads `1e400` as
/// infinity and would write it as `Infinity`, which is not JSON.
bool has_non_finite(const boost::json::value& value) noexcept;

/// Appends the serialisation of `value`. Non-finite doubles are written as `null`, as
/// JavaScript's JSON.stringify does, so the output is always valid JSON.
void append_json(std::string& out, const boost::json::value& value);

/// Appends `n` in decimal.
void append_decimal(std::string& out, std::uint64_t n);

/// Appends `text` as a JSON string, escaped exactly as Boost.JSON's serializer escapes it.
void append_json_string(std::string& out, std::string_view text);

/// True when `value` holds a binary value (socketio::binary) at any depth: what
/// extract_binaries would take out.
bool has_binary(const boost::json::value& value) noexcept;
/// The same for each of `values`.
bool has_binary(const boost::json::array& values) noexcept;

/// A text buffer for one packet that is encoded and handed on at once: the thread's own,
/// whose capacity stays from one packet to the next (no allocation per packet), or, when
/// that one is in use further up the stack (a send that ran a handler that emitted), a
/// string of its own.
class ScratchText {
 public:
  ScratchText() noexcept;
  ~ScratchText();
  ScratchText(const ScratchText&) = delete;
  ScratchText& operator=(const ScratchText&) = delete;
  /// The buffer, empty at first.
  std::string& get() noexcept { return *text_; }

 private:
  std::string own_;
  std::string* text_;
  bool shared_;
};

}  // namespace switchboard::socketio::detail
