#include "switchboard/ws/close.hpp"

#include <cstdint>

#include "switchboard/ws/utf8_validator.hpp"

namespace switchboard::ws {

std::string close_payload(CloseCode code, std::string_view reason) {
  const auto value = static_cast<uint16_t>(code);
  if (code == CloseCode::NoStatus || code == CloseCode::Abnormal ||
      code == CloseCode::TlsHandshake) {
    return {};
  }
  if (reason.size() > max_close_reason_size) {
    size_t cut = max_close_reason_size;
    // Back up over continuation bytes (10xxxxxx) so no character is split.
    while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::string payload;
  payload.reserve(2 + reason.size());
  payload += static_cast<char>(value >> 8);
  payload += static_cast<char>(value & 0xFF);
  payload += reason;
  return payload;
}

std::error_code parse_close_payload(std::string_view payload, CloseCode& code,
                                    std::string_view& reason) {
  reason = {};
  if (payload.empty()) {
    code = CloseCode::NoStatus;
    return {};
  }
  if (payload.size() == 1) return Error::BadClosePayload;
  const auto value = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                           static_cast<uint8_t>(payload[1]));
  if (!is_valid_close_code_on_wire(value)) return Error::InvalidCloseCode;
  if (!is_valid_utf8(payload.substr(2))) return Error::InvalidCloseReason;
  code = static_cast<CloseCode>(value);
  reason = payload.substr(2);
  return {};
}

}  // namespace switchboard::ws
