#include "switchboard/socketio/disconnect_reason.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace switchboard::socketio {
namespace {

struct Case {
  DisconnectReason reason;
  std::string_view words;
  bool recoverable;
};

// The reference's words (socket.io's DisconnectReason), and which ones keep a session.
constexpr Case kCases[] = {
    {DisconnectReason::TransportError, "transport error", true},
    {DisconnectReason::TransportClose, "transport close", true},
    {DisconnectReason::ForcedClose, "forced close", true},
    {DisconnectReason::PingTimeout, "ping timeout", true},
    {DisconnectReason::ParseError, "parse error", false},
    {DisconnectReason::ServerShuttingDown, "server shutting down", true},
    {DisconnectReason::ForcedServerClose, "forced server close", true},
    {DisconnectReason::ServerNamespaceDisconnect, "server namespace disconnect", false},
    {DisconnectReason::ClientNamespaceDisconnect, "client namespace disconnect", false},
    {DisconnectReason::ServerError, "server error", false},
};

TEST(DisconnectReason, EachReasonHasTheReferencesWordsBothWays) {
  for (const auto& c : kCases) {
    EXPECT_EQ(to_string(c.reason), c.words);
    EXPECT_EQ(disconnect_reason_from(c.words), c.reason);
    std::ostringstream out;
    out << c.reason;
    EXPECT_EQ(out.str(), c.words);
  }
  EXPECT_EQ(disconnect_reason_from("io server disconnect"), std::nullopt);
}

TEST(DisconnectReason, OnlyLeavingsTheClientDidNotChooseAreRecoverable) {
  for (const auto& c : kCases) EXPECT_EQ(recoverable(c.reason), c.recoverable) << c.words;
}

}  // namespace
}  // namespace switchboard::socketio
