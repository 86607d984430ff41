#pragma once
/// One `key=value` of a log record. Fields are views: building one copies no string and
/// allocates nothing, so a call whose level is off costs only its level check.

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::log {

/// A field's value: a string (viewed, not copied), an integer, a number or a boolean.
class Value {
 public:
  enum class Kind : std::uint8_t { String, Signed, Unsigned, Double, Bool };

  /// A string value; the text must outlive the call that logs it.
  Value(std::string_view text) noexcept : kind_(Kind::String), text_(text) {}
  /// A string value from a C string (null logs as empty).
  Value(const char* text) noexcept : Value(std::string_view(text ? text : "")) {}
  /// A string value viewing `text` (a temporary lives until the log call returns).
  Value(const std::string& text) noexcept : Value(std::string_view(text)) {}
  /// An integer value (any signed or unsigned type but bool).
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) Value(T number)
  noexcept {
    if constexpr (std::is_signed_v<T>) {
      kind_ = Kind::Signed;
      signed_ = number;
    } else {
      kind_ = Kind::Unsigned;
      unsigned_ = number;
    }
  }
  /// A floating-point value (written in its shortest exact form; NaN and infinities as
  /// strings in JSON).
  Value(double number) noexcept : kind_(Kind::Double), double_(number) {}
  /// A boolean value (true or false).
  Value(bool flag) noexcept : kind_(Kind::Bool), bool_(flag) {}

  /// Which of the accessors below holds the value.
  Kind kind() const noexcept { return kind_; }
  /// The text of a String value.
  std::string_view text() const noexcept { return text_; }
  /// The number of a Signed value.
  std::int64_t as_signed() const noexcept { return signed_; }
  /// The number of an Unsigned value.
  std::uint64_t as_unsigned() const noexcept { return unsigned_; }
  /// The number of a Double value.
  double as_double() const noexcept { return double_; }
  /// The flag of a Bool value.
  bool as_bool() const noexcept { return bool_; }

 private:
  Kind kind_ = Kind::String;
  std::string_view text_;
  union {
    std::int64_t signed_ = 0;
    std::uint64_t unsigned_;
    double double_;
    bool bool_;
  };
};

/// A named value of a record; the key is written as given (keys are the caller's words,
/// lower_snake_case by convention).
struct Field {
  std::string_view key;
  Value value;
};

}  // namespace switchboard::log
