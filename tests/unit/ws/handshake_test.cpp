#include "switchboard/ws/handshake.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace switchboard::ws {
namespace {

constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";

UpgradeRequest valid_request() {
  return {.method = "GET",
          .upgrade = "websocket",
          .connection = "Upgrade",
          .key = kKey,
          .version = "13"};
}

TEST(Handshake, ComputesTheAcceptKeyOfRfc6455Section1_3) {
  EXPECT_EQ(accept_key(kKey), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, TheAcceptKeyIsTheSameOnEveryCallAndThreadWithItsDigestContextReused) {
  // The digest context is kept per thread: a second key must not see the first one's state.
  EXPECT_EQ(accept_key("AAAAAAAAAAAAAAAAAAAAAA=="), "ICX+Yqv66kxgM0FcWaLWlFLwTAI=");
  EXPECT_EQ(accept_key(kKey), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(accept_key(" dGhlIHNhbXBsZSBub25jZQ== "), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  std::string on_another_thread;
  std::thread([&] { on_another_thread = accept_key(kKey); }).join();
  EXPECT_EQ(on_another_thread, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, AcceptsOnlyKeysOfSixteenBytes) {
  EXPECT_TRUE(is_valid_key(kKey));
  EXPECT_TRUE(is_valid_key(" AAAAAAAAAAAAAAAAAAAAAA== "));
  for (std::string_view bad :
       {"", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZQ",
        "dGhlIHNhbXBsZSBub25j*Q==", "dGhlIHNhbXBsZSBub25jZSE=", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}) {
    EXPECT_FALSE(is_valid_key(bad)) << bad;
  }
}

TEST(Handshake, RefusesInvalidUpgradeRequestsWithTheRightStatus) {
  struct Case {
    const char* name;
    void (*edit)(UpgradeRequest&);
    int status;
  };
  const Case cases[] = {
      {"valid", [](UpgradeRequest&) {}, 101},
      {"tokens in any case and lists",
       [](UpgradeRequest& r) {
         r.upgrade = "h2c, WebSocket";
         r.connection = "keep-alive, UPGRADE";
       },
       101},
      {"HTTP/2 version number", [](UpgradeRequest& r) { r.version_major = 2, r.version_minor = 0; },
       101},
      {"POST", [](UpgradeRequest& r) { r.method = "POST"; }, 400},
      {"HTTP/1.0", [](UpgradeRequest& r) { r.version_minor = 0; }, 400},
      {"no Upgrade", [](UpgradeRequest& r) { r.upgrade = ""; }, 400},
      {"Upgrade not websocket", [](UpgradeRequest& r) { r.upgrade = "websockets"; }, 400},
      {"no Connection", [](UpgradeRequest& r) { r.connection = ""; }, 400},
      {"Connection without Upgrade", [](UpgradeRequest& r) { r.connection = "keep-alive"; }, 400},
      {"no key", [](UpgradeRequest& r) { r.key = ""; }, 400},
      {"key of 15 bytes", [](UpgradeRequest& r) { r.key = "AAAAAAAAAAAAAAAAAAAA"; }, 400},
      {"version 8", [](UpgradeRequest& r) { r.version = "8"; }, 426},
      {"no version", [](UpgradeRequest& r) { r.version = ""; }, 426},
      {"two keys",
       [](UpgradeRequest& r) { r.key = "dGhlIHNhbXBsZSBub25jZQ==, AAAAAAAAAAAAAAAAAAAAAA=="; },
       400},
      {"the same key twice",
       [](UpgradeRequest& r) { r.key = "dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ=="; },
       400},
      {"two versions", [](UpgradeRequest& r) { r.version = "13, 8"; }, 400},
      {"version 13 twice", [](UpgradeRequest& r) { r.version = "13, 13"; }, 400},
  };
  for (const Case& c : cases) {
    UpgradeRequest request = valid_request();
    c.edit(request);
    const HandshakeResult result = accept_upgrade(request, {});
    EXPECT_EQ(result.status, c.status) << c.name;
    EXPECT_EQ(result.ok(), c.status == 101) << c.name;
  }
}

TEST(Handshake, SelectsTheClientsFirstSupportedSubprotocol) {
  const std::vector<std::string> supported = {"mqtt", "chat", "superchat"};
  EXPECT_EQ(select_subprotocol("superchat, chat", supported), "superchat");
  EXPECT_EQ(select_subprotocol(" unknown ,chat", supported), "chat");
  EXPECT_EQ(select_subprotocol("Chat", supported), std::nullopt);
  EXPECT_EQ(select_subprotocol("", supported), std::nullopt);
}

TEST(Handshake, BuildsTheSwitchingProtocolsResponse) {
  UpgradeRequest request = valid_request();
  request.protocol = "v2.chat, chat";
  request.extensions = "permessage-deflate; client_max_window_bits";
  const HandshakeResult result = accept_upgrade(
      request, {.subprotocols = {"chat"},
                .permessage_deflate = {.enabled = true, .client_no_context_takeover = true}});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(handshake_response(result),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Sec-WebSocket-Protocol: chat\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n"
            "\r\n");
}

TEST(Handshake, BuildsAnUpgradeRequiredResponseNamingVersion13) {
  UpgradeRequest request = valid_request();
  request.version = "7";
  const std::string response = rejection_response(accept_upgrade(request, {}));
  EXPECT_TRUE(response.starts_with("HTTP/1.1 426 Upgrade Required\r\n")) << response;
  EXPECT_NE(response.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
}

}  // namespace
}  // namespace switchboard::ws
