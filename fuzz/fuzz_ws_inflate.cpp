// Fuzzes the permessage-deflate inflater with an output limit. The first byte picks window
// bits, context takeover and the limit; the rest is inflated as two messages (split at the
// middle) in small chunks. The output must never pass limit + 1 bytes. Then the input is
// deflated and inflated back, which must give it unchanged.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "switchboard/ws/deflater.hpp"
#include "switchboard/ws/inflater.hpp"

namespace {

using namespace switchboard::ws;

bool inflate_message(Inflater& inflater, std::span<const uint8_t> in, size_t limit) {
  std::string out;
  for (size_t at = 0; at < in.size(); at += 7) {
    const auto status =
        inflater.inflate(in.subspan(at, std::min<size_t>(7, in.size() - at)), out, limit);
    if (out.size() > limit + 1) std::abort();
    if (status != InflateStatus::Ok) return false;
  }
  const auto status = inflater.finish_message(out, limit);
  if (out.size() > limit + 1) std::abort();
  return status == InflateStatus::Ok;
}

void round_trip(std::span<const uint8_t> in, int bits, bool no_takeover) {
  const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  Deflater deflater(bits, no_takeover);
  Inflater inflater(bits, no_takeover);
  for (int i = 0; i < 2; ++i) {
    std::string compressed;
    if (!deflater.compress(text, compressed)) std::abort();
    std::string out;
    const auto* p = reinterpret_cast<const uint8_t*>(compressed.data());
    if (inflater.inflate({p, compressed.size()}, out, text.size()) != InflateStatus::Ok ||
        inflater.finish_message(out, text.size()) != InflateStatus::Ok || out != text) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t choice = data[0];
  const int bits = 8 + (choice & 7);
  const bool no_takeover = (choice & 0x08) != 0;
  const size_t limit = size_t{1} << (choice >> 4);  // 1 byte to 32 KiB
  const std::span<const uint8_t> in(data + 1, size - 1);
  Inflater inflater(bits, no_takeover);
  const size_t half = in.size() / 2;
  if (inflate_message(inflater, in.first(half), limit)) {
    inflate_message(inflater, in.subspan(half), limit);
  }
  round_trip(in, bits, no_takeover);
  return 0;
}
