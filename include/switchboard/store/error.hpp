#pragma once
/// Errors of the chat history store, and the `Result<T>` its operations answer with.

#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace switchboard::store {

/// Why a store operation failed. The numeric values are stable.
enum class Errc : int {
  InvalidRoomName = 1,  ///< Not `[a-z0-9_-]{1,32}`.
  InvalidName,          ///< A display name that `normalize_name` rejects.
  InvalidUtf8,          ///< Message text that is not valid UTF-8.
  EmptyText,            ///< Message text that is empty or only whitespace.
  TextTooLong,          ///< Message text over `max_text_code_points`.
  InvalidLimit,         ///< A read limit outside 1..`max_read_limit`.
  RoomNotFound,         ///< The room was never created (`ensure_room`).
  TooManyRooms,         ///< `ensure_room` would exceed the configured maximum.
  Overloaded,           ///< The request queue is full; try again later.
  Closed,               ///< The store is closed (or closing) and accepts nothing.
  Unwritable,           ///< The data directory or database file cannot be written.
  Corrupt,              ///< The database file is not a database or is damaged.
  DiskFull,             ///< The disk (or the configured size cap) is full.
  UnsupportedSchema,    ///< The database was written by a newer program.
  Io,                   ///< Any other SQLite or file-system failure.
  UserNotFound,         ///< No user has this token (or id).
  Unavailable,          ///< A networked backend (Redis) cannot be reached or refused the write.
};

/// The category of `Errc` (name "switchboard.store").
const std::error_category& error_category() noexcept;
/// Makes an error code for `e` (found by ADL).
std::error_code make_error_code(Errc e) noexcept;

/// A failure: its code, for programs, and a message for people, naming the file or the cause
/// (e.g. "cannot create data directory /srv/data: Permission denied").
struct Error {
  std::error_code code;  ///< An `Errc` (compare with `Errc::...`).
  std::string message;   ///< For logs and people; not to be parsed.
};

/// Makes an `Error` whose message is the category's text for `e`.
Error make_error(Errc e);

/// A value or an `Error`. A small stand-in for C++23 `std::expected`, so that the store
/// depends on nothing but SQLite.
template <class T>
class Result {
 public:
  /// A success holding `value` (implicit, so a function returns its value as is).
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  /// A failure holding `error` (implicit, so a function returns its error as is).
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  /// True when a value is held.
  bool has_value() const noexcept { return v_.index() == 0; }
  /// has_value().
  explicit operator bool() const noexcept { return has_value(); }

  /// The value (and its const, rvalue, `*` and `->` forms below); throws
  /// std::bad_variant_access when an error is held, so check `has_value()` first.
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error (and its rvalue form below); throws std::bad_variant_access when a value is
  /// held.
  const Error& error() const& { return std::get<1>(v_); }

  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace switchboard::store

template <>
struct std::is_error_code_enum<switchboard::store::Errc> : std::true_type {};
