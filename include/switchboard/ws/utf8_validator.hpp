// Incremental UTF-8 validation for text messages and close reasons (RFC 6455 §8.1, RFC 3629).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace switchboard::ws {

/// Validates UTF-8 fed in arbitrary chunks, failing on the first byte that makes the input
/// invalid: overlong forms, surrogates U+D800-U+DFFF, code points above U+10FFFF, stray
/// continuation bytes and the never-valid bytes C0, C1, F5-FF. A sequence cut short is only
/// detected by `finish()`. ASCII runs are checked eight bytes at a time. Not thread-safe.
///
///     Utf8Validator v;
///     if (!v.feed(chunk1) || !v.feed(chunk2) || !v.finish()) fail(CloseCode::InvalidPayload);
class Utf8Validator {
 public:
  /// Validates the next chunk. Returns false as soon as the input so far is not a prefix of
  /// valid UTF-8; the validator then stays failed until `reset()`.
  bool feed(std::span<const uint8_t> bytes);

  /// Same as the span overload, for text held in a string.
  bool feed(std::string_view text) {
    return feed(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

  /// True when everything fed so far is valid and ends on a character boundary.
  bool finish() const { return state_ == 0; }

  /// True once invalid input has been seen.
  bool failed() const { return state_ == kReject; }

  /// Forgets all input, ready for a new message.
  void reset() { state_ = 0; }

 private:
  static constexpr uint8_t kReject = 8;
  uint8_t state_ = 0;
};

/// True when `text` is complete, valid UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace switchboard::ws
