// The cluster messages of @socket.io/redis-adapter as a node reads them from Redis: classic
// broadcasts (msgpack), classic requests and responses (JSON or msgpack) and the sharded
// adapter's ClusterMessages. The first byte picks the decoder. Properties: decoding never
// crashes, throws or reads out of bounds; whatever decodes re-encodes into bytes that decode
// again when it went out as msgpack (a value read from msgpack need not survive JSON: bytes
// that are not UTF-8, nesting past the JSON parser's depth; a node never re-encodes what it
// received), and a msgpack broadcast re-encodes to the same bytes a second time (a fixed
// point).

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

// Decodes what was encoded; only a JSON encoding may be refused.
template <class Decode>
auto decode_again(const std::string& encoded, Decode decode) {
  auto again = decode(encoded);
  if (!again) check(!encoded.empty() && encoded.front() == '{');
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
