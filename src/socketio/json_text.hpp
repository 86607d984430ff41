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

}  // namespace switchboard::socketio::detail
