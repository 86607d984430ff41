#include "switchboard/ws/deflater.hpp"

#include <zlib.h>

#include <algorithm>
#include <new>

namespace switchboard::ws {

void Deflater::Deleter::operator()(z_stream_s* stream) const {
  deflateEnd(stream);
  delete stream;
}

Deflater::Deflater(int window_bits, bool no_context_takeover, int memory_level, int level)
    : stream_(nullptr), no_context_takeover_(no_context_takeover) {
  // zlib refuses raw deflate with 8 bits; 9 is equivalent on the wire (see the header).
  const int bits = std::clamp(window_bits, 9, 15);
  auto* stream = new z_stream{};
  if (deflateInit2(stream, std::clamp(level, -1, 9), Z_DEFLATED, -bits,
                   std::clamp(memory_level, 1, 9), Z_DEFAULT_STRATEGY) != Z_OK) {
    delete stream;
    throw std::bad_alloc();
  }
  stream_.reset(stream);
}

Deflater::~Deflater() = default;
Deflater::Deflater(Deflater&&) noexcept = default;
Deflater& Deflater::operator=(Deflater&&) noexcept = default;

bool Deflater::compress(std::string_view message, std::string& out) {
  z_stream& z = *stream_;
  const size_t start = out.size();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  z.avail_in = static_cast<uInt>(message.size());
  // Z_SYNC_FLUSH is complete once deflate leaves output space unused.
  size_t room = deflateBound(&z, static_cast<uLong>(message.size())) + 16;
  do {
    const size_t old = out.size();
    out.resize(old + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    z.avail_out = static_cast<uInt>(room);
    const int rc = deflate(&z, Z_SYNC_FLUSH);
    out.resize(old + room - z.avail_out);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
    room = std::max<size_t>(room, 1024);
  } while (z.avail_out == 0);
  // RFC 7692 §7.2.1: remove the 00 00 ff ff that the sync flush ends with.
  if (out.size() - start >= 4 && out.compare(out.size() - 4, 4, "\x00\x00\xff\xff", 4) == 0) {
    out.resize(out.size() - 4);
  }
  if (no_context_takeover_) reset();
  return true;
}

void Deflater::reset() {
  deflateReset(stream_.get());
}

}  // namespace switchboard::ws
