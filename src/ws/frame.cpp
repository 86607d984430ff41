#include "switchboard/ws/frame.hpp"

#include <bit>
#include <cstring>

#include "switchboard/ws/error.hpp"

namespace switchboard::ws {

size_t encode_frame_header(const FrameHeader& header,
                           std::span<uint8_t, max_frame_header_size> out) {
  out[0] = static_cast<uint8_t>((header.fin ? 0x80 : 0) | (header.rsv1 ? 0x40 : 0) |
                                (header.rsv2 ? 0x20 : 0) | (header.rsv3 ? 0x10 : 0) |
                                (static_cast<uint8_t>(header.opcode) & 0x0F));
  const uint8_t mask_bit = header.masked ? 0x80 : 0;
  const uint64_t len = header.payload_length;
  size_t n = 2;
  if (len < 126) {
    out[1] = static_cast<uint8_t>(mask_bit | len);
  } else if (len <= 0xFFFF) {
    out[1] = mask_bit | 126;
    out[2] = static_cast<uint8_t>(len >> 8);
    out[3] = static_cast<uint8_t>(len);
    n = 4;
  } else {
    out[1] = mask_bit | 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(len >> (56 - 8 * i));
    n = 10;
  }
  if (header.masked) {
    std::memcpy(&out[n], header.mask.data(), 4);
    n += 4;
  }
  return n;
}

size_t decode_frame_header(std::span<const uint8_t> in, FrameHeader& out, std::error_code& ec) {
  ec.clear();
  if (in.size() < 2) return 0;
  const size_t size = frame_header_size(in[0], in[1]);
  if (in.size() < size) return 0;
  out.fin = (in[0] & 0x80) != 0;
  out.rsv1 = (in[0] & 0x40) != 0;
  out.rsv2 = (in[0] & 0x20) != 0;
  out.rsv3 = (in[0] & 0x10) != 0;
  out.opcode = static_cast<Opcode>(in[0] & 0x0F);
  out.masked = (in[1] & 0x80) != 0;
  const uint8_t len7 = in[1] & 0x7F;
  size_t pos = 2;
  uint64_t len = len7;
  if (len7 == 126) {
    len = (uint64_t{in[2]} << 8) | in[3];
    pos = 4;
    // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
    if (len < 126) ec = Error::NonMinimalLength;
  } else if (len7 == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | in[2 + i];
    pos = 10;
    if (len >> 63)
      ec = Error::LengthTooLarge;
    else if (len <= 0xFFFF)
      ec = Error::NonMinimalLength;
  }
  if (ec) return 0;
  out.payload_length = len;
  out.mask = {};
  if (out.masked) std::memcpy(out.mask.data(), &in[pos], 4);
  return size;
}

void apply_mask(std::span<uint8_t> data, const std::array<uint8_t, 4>& key, uint64_t offset) {
  // Rotate the key so that byte i of `data` is XORed with key[(offset + i) % 4]: in memory
  // order, the key starting at key[offset % 4], twice.
  uint32_t k;
  std::memcpy(&k, key.data(), sizeof k);
  if (const auto shift = static_cast<int>(offset & 3) * 8) {
    k = std::endian::native == std::endian::little ? std::rotr(k, shift) : std::rotl(k, shift);
  }
  const uint64_t key_word = (uint64_t{k} << 32) | k;
  uint8_t rotated[8];
  std::memcpy(rotated, &key_word, sizeof rotated);
  uint8_t* p = data.data();
  const size_t n = data.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, sizeof word);
    word ^= key_word;
    std::memcpy(p + i, &word, sizeof word);
  }
  for (; i < n; ++i) p[i] ^= rotated[i & 7];
}

void append_frame(std::string& out, FrameHeader header, std::string_view payload) {
  header.payload_length = payload.size();
  std::array<uint8_t, max_frame_header_size> buffer;
  const size_t n = encode_frame_header(header, buffer);
  out.append(reinterpret_cast<const char*>(buffer.data()), n);
  const size_t start = out.size();
  out.append(payload);
  if (header.masked) {
    apply_mask(std::span(reinterpret_cast<uint8_t*>(out.data()) + start, payload.size()),
               header.mask, 0);
  }
}

}  // namespace switchboard::ws
