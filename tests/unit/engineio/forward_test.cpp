// What a node sends to the owner of a session it relays (ServerOptions::nodes), and the sids
// that name a node.
#include "engineio/forward.hpp"

#include <gtest/gtest.h>

#include "engineio/sid.hpp"

namespace switchboard::engineio::detail {
namespace {

http::Request polling_post() {
  http::Request r;
  r.method = "POST";
  r.target = "/socket.io/?EIO=4&transport=polling&sid=abc.AAAAAAAAAAAAAAAAAAAA";
  r.headers.add("Host", "chat.example");
  r.headers.add("Content-Type", "text/plain;charset=UTF-8");
  r.headers.add("Content-Length", "2");
  r.headers.add("Connection", "keep-alive");
  r.headers.add("Keep-Alive", "timeout=5");
  r.headers.add("X-Forwarded-For", "203.0.113.7");
  r.headers.add("X-Switchboard-Forwarded", "spoofed");
  r.body = "40";
  r.remote_address = "10.0.0.2";
  return r;
}

TEST(RelayedRequest, keeps_the_line_and_fields_and_closes_after_the_answer) {
  EXPECT_EQ(relayed_request(polling_post(), false, "me"),
            "POST /socket.io/?EIO=4&transport=polling&sid=abc.AAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\n"
            "Host: chat.example\r\n"
            "Content-Type: text/plain;charset=UTF-8\r\n"
            "X-Forwarded-For: 203.0.113.7, 10.0.0.2\r\n"
            "X-Switchboard-Forwarded: me\r\n"
            "Connection: close\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "40");
}

TEST(RelayedRequest, a_websocket_upgrade_keeps_its_connection_and_upgrade_fields) {
  http::Request r;
  r.method = "GET";
  r.target = "/socket.io/?EIO=4&transport=websocket&sid=abc.AAAAAAAAAAAAAAAAAAAA";
  r.headers.add("Connection", "Upgrade");
  r.headers.add("Upgrade", "websocket");
  r.headers.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  r.remote_address = "::1";
  EXPECT_EQ(relayed_request(r, true, "me"),
            "GET /socket.io/?EIO=4&transport=websocket&sid=abc.AAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\n"
            "Connection: Upgrade\r\n"
            "Upgrade: websocket\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "X-Forwarded-For: ::1\r\n"
            "X-Switchboard-Forwarded: me\r\n"
            "\r\n");
}

TEST(SplitAddress, reads_host_and_port_and_bracketed_ipv6) {
  struct Case {
    std::string address, host, port;
    bool ok;
  };
  for (const auto& c : std::vector<Case>{{"127.0.0.1:3201", "127.0.0.1", "3201", true},
                                         {"[::1]:80", "::1", "80", true},
                                         {"node-b.lan:8080", "node-b.lan", "8080", true},
                                         {"no-port", "", "", false},
                                         {":80", "", "", false},
                                         {"host:", "", "", false}}) {
    std::string host, port;
    EXPECT_EQ(split_address(c.address, host, port), c.ok) << c.address;
    if (c.ok) {
      EXPECT_EQ(host, c.host) << c.address;
      EXPECT_EQ(port, c.port) << c.address;
    }
  }
}

TEST(NodeId, is_one_to_32_url_safe_characters) {
  EXPECT_TRUE(valid_node_id("a"));
  EXPECT_TRUE(valid_node_id("Z79el552"));
  EXPECT_TRUE(valid_node_id(std::string(32, '-')));
  EXPECT_FALSE(valid_node_id(""));
  EXPECT_FALSE(valid_node_id(std::string(33, 'a')));
  EXPECT_FALSE(valid_node_id("a.b"));
  EXPECT_FALSE(valid_node_id("a b"));
}

TEST(Sid, names_its_shard_in_its_first_character) {
  for (unsigned shards : {1u, 2u, 3u, 8u}) {
    for (unsigned shard = 0; shard < shards; ++shard) {
      auto sid = make_sid(shard, shards);
      ASSERT_EQ(sid.size(), 20u);
      EXPECT_EQ(owner_of(sid, shards), shard);
    }
  }
  EXPECT_FALSE(owner_of("short", 2));
  EXPECT_FALSE(owner_of("AAAAAAAAAAAAAAAAAAA.", 2));
}

}  // namespace
}  // namespace switchboard::engineio::detail
