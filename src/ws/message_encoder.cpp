#include "switchboard/ws/message_encoder.hpp"

#include <stdexcept>

#include "switchboard/ws/close.hpp"

namespace switchboard::ws {
namespace {

std::string encode_control(Opcode opcode, std::string_view payload) {
  // RFC 6455 §5.5: control frames carry at most 125 bytes.
  if (payload.size() > 125) throw std::length_error("control frame payload over 125 bytes");
  std::string out;
  append_server_frame(out, opcode, payload);
  return out;
}

}  // namespace

// The header written directly (a server's frames are never masked, RSV2-3 never set), as
// encode_frame_header would.
void append_server_frame(std::string& out, Opcode opcode, std::string_view payload,
                         bool compressed) {
  const uint64_t n = payload.size();
  char header[10];
  header[0] =
      static_cast<char>(0x80 | (compressed ? 0x40 : 0) | (static_cast<uint8_t>(opcode) & 0x0F));
  size_t size = 2;
  if (n < 126) {
    header[1] = static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    header[1] = 126;
    header[2] = static_cast<char>(n >> 8);
    header[3] = static_cast<char>(n);
    size = 4;
  } else {
    header[1] = 127;
    for (int i = 0; i < 8; ++i) header[2 + i] = static_cast<char>(n >> (56 - 8 * i));
    size = 10;
  }
  out.reserve(out.size() + size + payload.size());
  out.append(header, size);
  out.append(payload);
}

std::string encode_ping(std::string_view payload) {
  return encode_control(Opcode::Ping, payload);
}

std::string encode_pong(std::string_view payload) {
  return encode_control(Opcode::Pong, payload);
}

std::string encode_close(CloseCode code, std::string_view reason) {
  return encode_control(Opcode::Close, close_payload(code, reason));
}

MessageEncoder::MessageEncoder(const DeflateParams& params, const PermessageDeflateOptions& options)
    : deflate_(std::make_unique<Compression>(Compression{
          params, make_server_deflater(params, options), options.compress_threshold})) {}

void MessageEncoder::encode(Opcode opcode, std::string_view payload, std::string& out) {
  if (!deflate_ || is_control(opcode) || payload.size() < deflate_->compress_threshold) {
    return append_server_frame(out, opcode, payload);
  }
  std::string compressed;
  if (!deflate_->deflater.compress(payload, compressed)) {
    // Out of memory inside zlib: send this one uncompressed, from a clean window.
    deflate_->deflater.reset();
    return append_server_frame(out, opcode, payload);
  }
  append_server_frame(out, opcode, compressed, true);
}

void MessageEncoder::forget_context() {
  if (deflate_) deflate_->deflater.reset();
}

}  // namespace switchboard::ws
