#pragma once
/// msgpack with the semantics of notepack.io (the codec of @socket.io/redis-adapter), over
/// Boost.JSON values. Sans-I/O: bytes in, values out.
///
/// Encoding: null -> nil, bool, integers in the smallest form (non-negative as uint, like
/// notepack), a double with an integral value as an integer (JavaScript cannot tell them
/// apart), other doubles as float 64, strings as str (fixstr/str 8/16/32), arrays, objects as
/// maps with string keys. Binary is whatever `binary_of` recognises, written as bin.
///
/// Decoding, as notepack followed by JSON.stringify (what a Node peer's clients would see):
/// nil -> null; float 32/64 -> double; every integer -> int64 (uint64 above INT64_MAX);
/// bin and ext type 0 (notepack's old ArrayBuffer) -> `make_binary(bytes)`; notepack's
/// `undefined` (fixext 1 type 0) -> dropped from maps, null in arrays and at the top; msgpack
/// timestamps (ext -1) -> the ISO 8601 string of Date.toJSON; other ext types -> `[type, bin]`
/// as notepack returns them; integer map keys -> their decimal string; other non-string keys,
/// the reserved byte 0xc1, truncation, nesting deeper than kMaxDepth and trailing bytes are
/// errors. Strings are kept byte for byte.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

namespace switchboard::adapter {

/// The deepest nesting of arrays and maps the decoder accepts.
inline constexpr std::size_t kMaxDepth = 64;

/// Returns the bytes of `value` when it stands for a binary, else nullptr.
using BinaryOf = std::function<const std::string*(const boost::json::value& value)>;
/// Makes the value that stands for a binary of `bytes`.
using MakeBinary = std::function<boost::json::value(std::string bytes)>;

/// Encodes `value` as msgpack. `binary_of` may be empty (no binary).
std::string encode_msgpack(const boost::json::value& value, const BinaryOf& binary_of = {});

/// Decodes one msgpack value filling all of `bytes`. Never throws on malformed input.
boost::system::result<boost::json::value> decode_msgpack(std::string_view bytes,
                                                         const MakeBinary& make_binary);

}  // namespace switchboard::adapter
