#include "client/ws_handshake.hpp"

#include <gtest/gtest.h>

#include "switchboard/client/error.hpp"

using namespace switchboard::client;
using namespace switchboard::client::detail;

TEST(WsHandshake, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(WsHandshake, KeyIsBase64OfSixteenBytes) {
  std::array<std::uint8_t, 16> nonce{};
  for (std::size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<std::uint8_t>(i + 1);
  // RFC 6455 §4.1's example key.
  EXPECT_EQ(make_key(nonce), "AQIDBAUGBwgJCgsMDQ4PEA==");
}

TEST(WsHandshake, RequestAsksForAnUpgrade) {
  auto request = make_upgrade_request("h:1", "/socket.io/?EIO=4", "a2V5", {{"X-Test", "1"}});
  EXPECT_EQ(request,
            "GET /socket.io/?EIO=4 HTTP/1.1\r\nHost: h:1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: a2V5\r\nSec-WebSocket-Version: 13\r\n"
            "X-Test: 1\r\n\r\n");
}

TEST(WsHandshake, AcceptsTheRfcExampleResponse) {
  // RFC 6455 §1.3: key "dGhlIHNhbXBsZSBub25jZQ==" → accept "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
  const char* head =
      "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nConnection: keep-alive, Upgrade"
      "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  EXPECT_FALSE(check_upgrade_response(head, "dGhlIHNhbXBsZSBub25jZQ=="));
}

TEST(WsHandshake, RefusesBadResponses) {
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  const std::string good_accept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
  struct Case {
    std::string head;
    Error error;
  };
  for (const auto& c : std::initializer_list<Case>{
           {"HTTP/1.1 400 Bad Request\r\n\r\n", Error::HandshakeFailed},
           {"HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n" + good_accept + "\r\n",
            Error::HandshakeFailed},
           {"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n" + good_accept + "\r\n",
            Error::HandshakeFailed},
           {"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            Error::HandshakeFailed},
           {"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: AAAA\r\n\r\n",
            Error::BadAcceptKey},
           {"HTTP/1.1 101 OK\r\nno colon\r\n\r\n", Error::HandshakeFailed},
           {"garbage", Error::HandshakeFailed},
       }) {
    EXPECT_EQ(check_upgrade_response(c.head, key), c.error) << c.head;
  }
}
