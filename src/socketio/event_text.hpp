#pragma once

// The text of an EVENT packet written straight from its name and arguments (the emit path).

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::socketio::detail {

/// Appends the text of an EVENT for `nsp` with `args`, which hold no binary value (see
/// has_binary): exactly the text encode() writes for that packet, without building it.
void encode_event_text(std::string& out, std::string_view nsp, std::string_view event,
                       const boost::json::array& args, std::optional<std::uint64_t> id);

}  // namespace switchboard::socketio::detail
