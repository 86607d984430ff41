#pragma once

// Standard base64 (RFC 4648 §4) as Engine.IO's polling transport uses it for binary packets.

#include <string>
#include <string_view>

namespace switchboard::engineio::detail {

/// Appends the padded base64 encoding of `bytes` to `out`.
void append_base64(std::string& out, std::string_view bytes);

/// Appends the bytes encoded by `text` to `out`. Accepts the standard alphabet with or without
/// '=' padding; padding, when present, must complete the last quantum. Returns false (and leaves
/// `out` in an unspecified state) on any other character or an impossible length.
bool decode_base64(std::string_view text, std::string& out);

}  // namespace switchboard::engineio::detail
