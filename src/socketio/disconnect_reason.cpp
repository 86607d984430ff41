#include "switchboard/socketio/disconnect_reason.hpp"

#include <array>
#include <utility>

namespace switchboard::socketio {

namespace {

constexpr std::array<std::pair<DisconnectReason, std::string_view>, 10> kWords{{
    {DisconnectReason::TransportError, "transport error"},
    {DisconnectReason::TransportClose, "transport close"},
    {DisconnectReason::ForcedClose, "forced close"},
    {DisconnectReason::PingTimeout, "ping timeout"},
    {DisconnectReason::ParseError, "parse error"},
    {DisconnectReason::ServerShuttingDown, "server shutting down"},
    {DisconnectReason::ForcedServerClose, "forced server close"},
    {DisconnectReason::ServerNamespaceDisconnect, "server namespace disconnect"},
    {DisconnectReason::ClientNamespaceDisconnect, "client namespace disconnect"},
    {DisconnectReason::ServerError, "server error"},
}};

}  // namespace

std::string_view to_string(DisconnectReason reason) noexcept {
  for (const auto& [r, words] : kWords) {
    if (r == reason) return words;
  }
  return "unknown";
}

std::optional<DisconnectReason> disconnect_reason_from(std::string_view text) noexcept {
  for (const auto& [r, words] : kWords) {
    if (words == text) return r;
  }
  return std::nullopt;
}

bool recoverable(DisconnectReason reason) noexcept {
  switch (reason) {
    case DisconnectReason::TransportError:
    case DisconnectReason::TransportClose:
    case DisconnectReason::ForcedClose:
    case DisconnectReason::PingTimeout:
    case DisconnectReason::ServerShuttingDown:
    case DisconnectReason::ForcedServerClose:
      return true;
    default:
      return false;
  }
}

}  // namespace switchboard::socketio
