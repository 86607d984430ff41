#include "switchboard/ws/prepared_message.hpp"

#include <algorithm>

#include "switchboard/ws/deflater.hpp"

namespace switchboard::ws {

PreparedMessage::PreparedMessage(Opcode opcode, std::string_view payload,
                                 const PrepareOptions& options)
    : window_bits_(std::clamp(options.window_bits, 8, 15)) {
  append_server_frame(plain_, opcode, payload);
  // RFC 7692 §6.1: only data messages may be compressed.
  if (!options.compress || is_control(opcode) || payload.size() < options.compress_threshold) {
    return;
  }
  Deflater deflater(window_bits_, true, options.memory_level);
  std::string body;
  if (deflater.compress(payload, body)) append_server_frame(compressed_, opcode, body, true);
}

std::string_view PreparedMessage::frame_for(MessageEncoder& encoder) const {
  const auto& params = encoder.params();
  if (compressed_.empty() || !params || params->server_max_window_bits < window_bits_) {
    return plain_;
  }
  if (!params->server_no_context_takeover) encoder.forget_context();
  return compressed_;
}

}  // namespace switchboard::ws
