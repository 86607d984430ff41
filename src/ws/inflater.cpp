#include "switchboard/ws/inflater.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <new>

namespace switchboard::ws {
namespace {

// RFC 7692 §7.2.2: the sender removed this empty stored block; the receiver appends it.
constexpr std::array<uint8_t, 4> kTail = {0x00, 0x00, 0xFF, 0xFF};
constexpr size_t kMinChunk = 16 * 1024;

InflateStatus status_of(int rc) {
  switch (rc) {
    case Z_OK:
    case Z_STREAM_END:
    case Z_BUF_ERROR:
      return InflateStatus::Ok;
    case Z_DATA_ERROR:
    case Z_NEED_DICT:
      return InflateStatus::BadData;
    default:
      return InflateStatus::Failure;
  }
}

}  // namespace

void Inflater::Deleter::operator()(z_stream_s* stream) const {
  inflateEnd(stream);
  delete stream;
}

Inflater::Inflater(int window_bits, bool no_context_takeover)
    : stream_(nullptr),
      window_bits_(std::clamp(window_bits, 8, 15)),
      no_context_takeover_(no_context_takeover) {
  auto* stream = new z_stream{};
  // Negative window bits: raw deflate, no zlib header or checksum (RFC 7692 §7.2.1).
  if (inflateInit2(stream, -window_bits_) != Z_OK) {
    delete stream;
    throw std::bad_alloc();
  }
  stream_.reset(stream);
}

Inflater::~Inflater() = default;
Inflater::Inflater(Inflater&&) noexcept = default;
Inflater& Inflater::operator=(Inflater&&) noexcept = default;

InflateStatus Inflater::inflate(std::span<const uint8_t> in, std::string& out, size_t max_size) {
  // zlib counts input in uInt; feed huge spans in slices.
  constexpr size_t kSlice = size_t{1} << 30;
  do {
    const auto slice = in.first(std::min(in.size(), kSlice));
    in = in.subspan(slice.size());
    const InflateStatus status = inflate_slice(slice, out, max_size);
    if (status != InflateStatus::Ok) return status;
  } while (!in.empty());
  return InflateStatus::Ok;
}

InflateStatus Inflater::inflate_slice(std::span<const uint8_t> in, std::string& out,
                                      size_t max_size) {
  z_stream& z = *stream_;
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  for (;;) {
    if (out.size() > max_size) return InflateStatus::LimitExceeded;
    // Never offer room past max_size + 1: a bomb stops after at most one byte over the limit.
    const size_t old = out.size();
    const size_t chunk = std::max(kMinChunk, old);
    const size_t room = std::min(max_size - old, chunk - 1) + 1;
    out.resize(old + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    z.avail_out = static_cast<uInt>(room);
    const int rc = ::inflate(&z, Z_SYNC_FLUSH);
    out.resize(old + room - z.avail_out);
    const InflateStatus status = status_of(rc);
    if (status != InflateStatus::Ok) return status;
    if (out.size() > max_size) return InflateStatus::LimitExceeded;
    // A sender may end a message with a final block; the tail then starts a new stream.
    if (rc == Z_STREAM_END) {
      if (restart_after_stream_end() != InflateStatus::Ok) return InflateStatus::Failure;
      continue;
    }
    if (z.avail_in == 0 && z.avail_out != 0) return InflateStatus::Ok;
    if (rc == Z_BUF_ERROR && z.avail_out != 0) return InflateStatus::Ok;
  }
}

InflateStatus Inflater::finish_message(std::string& out, size_t max_size) {
  const InflateStatus status = inflate(kTail, out, max_size);
  if (status == InflateStatus::Ok && no_context_takeover_) reset();
  return status;
}

void Inflater::reset() {
  inflateReset(stream_.get());
}

InflateStatus Inflater::restart_after_stream_end() {
  // Keep the window across the restart unless context takeover is off (RFC 7692 §7.2.3).
  std::array<Bytef, 1 << 15> window;
  uInt length = 0;
  const bool keep = !no_context_takeover_;
  if (keep && inflateGetDictionary(stream_.get(), window.data(), &length) != Z_OK) {
    return InflateStatus::Failure;
  }
  if (inflateReset(stream_.get()) != Z_OK) return InflateStatus::Failure;
  if (keep && length > 0 && inflateSetDictionary(stream_.get(), window.data(), length) != Z_OK) {
    return InflateStatus::Failure;
  }
  return InflateStatus::Ok;
}

}  // namespace switchboard::ws
