// The cluster messages of @socket.io/redis-adapter as a node reads them from Redis: classic
// broadcasts (msgpack), classic requests and responses (JSON or msgpack) and the sharded
// adapter's ClusterMessages. The first byte picks the decoder. Properties: decoding never
// crashes, throws or reads out of bounds; whatever decodes re-encodes into bytes that decode
// again (unless it went out as JSON holding bytes that are not UTF-8, which msgpack can carry
// and a JSON parser refuses), and a msgpack broadcast re-encodes to the same bytes a second
// time (a fixed point).

#include <switchboard/adapter/messages.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace switchboard::adapter;

void check(bool condition) {
  if (!condition) std::abort();
}

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or values past
// U+10FFFF).
bool utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80           ? 0
                          : (c >> 5) == 0x06 ? 1
                          : (c >> 4) == 0x0E ? 2
                          : (c >> 3) == 0x1E ? 3
                                             : 4;
    if (n == 4 || i + n >= s.size() + (n == 0 ? 1 : 0)) return false;
    std::uint32_t cp = n == 0 ? c : (c & (0x3Fu >> n));
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 2) return false;
      cp = (cp << 6) | (d & 0x3Fu);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// Decodes what was encoded; a JSON encoding of bytes that are not UTF-8 may be refused.
template <class Decode>
auto decode_again(const std::string& encoded, Decode decode) {
  auto again = decode(encoded);
  if (!again) check(encoded.front() == '{' && !utf8(encoded));
  return again;
}

void broadcast(std::string_view bytes) {
  const auto message = decode_broadcast(bytes);
  if (!message) return;
  const std::string once = encode_broadcast(*message);
  const auto again = decode_broadcast(once);
  check(again.has_value());
  check(again->uid == message->uid && again->opts == message->opts);
  check(encode_broadcast(*again) == once);
}

void classic(std::string_view bytes) {
  const auto message = decode_classic(bytes);
  if (!message) return;
  const auto again = decode_again(encode_classic(*message), decode_classic);
  if (!again) return;
  check(again->type() == message->type() && again->uid() == message->uid() &&
        again->request_id() == message->request_id());
}

void cluster(std::string_view bytes) {
  const auto message = decode_cluster(bytes);
  if (!message) return;
  const auto again = decode_again(encode_cluster(*message), decode_cluster);
  if (!again) return;
  check(again->uid == message->uid && again->nsp == message->nsp && again->type == message->type);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      broadcast(bytes);
      break;
    case 1:
      classic(bytes);
      break;
    default:
      cluster(bytes);
      break;
  }
  return 0;
}
