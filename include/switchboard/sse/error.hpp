#pragma once
/// Server-Sent Events errors: what makes an event impossible to put on the wire.

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace switchboard::sse {

/// Why an event cannot be formatted (WHATWG HTML §9.2.6: a field value ends at CR or LF).
enum class Error : int {
  /// The id holds CR, LF or NUL (a client would cut it or ignore it).
  InvalidId = 1,
  /// The event name holds CR or LF.
  InvalidEventName,
};

/// The category of `Error` (name "sse").
const boost::system::error_category& error_category() noexcept;
/// Makes an error code for `e`.
boost::system::error_code make_error_code(Error e) noexcept;

}  // namespace switchboard::sse

namespace boost::system {
template <>
struct is_error_code_enum<switchboard::sse::Error> : std::true_type {};
}  // namespace boost::system
