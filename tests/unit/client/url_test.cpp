#include "client/url.hpp"

#include <gtest/gtest.h>

#include "switchboard/client/error.hpp"

using switchboard::client::Error;
using switchboard::client::detail::parse_url;

TEST(Url, SplitsSchemeHostPortAndTarget) {
  struct Case {
    const char* text;
    bool secure;
    const char* host;
    const char* port;
    const char* target;
    const char* host_header;
  };
  for (const auto& c : std::initializer_list<Case>{
           {"http://127.0.0.1:3000", false, "127.0.0.1", "3000", "/", "127.0.0.1:3000"},
           {"ws://example.com/chat?x=1", false, "example.com", "80", "/chat?x=1", "example.com"},
           {"HTTPS://example.com", true, "example.com", "443", "/", "example.com"},
           {"wss://h:8443?q", true, "h", "8443", "/?q", "h:8443"},
           {"http://[::1]:9/p", false, "::1", "9", "/p", "[::1]:9"},
       }) {
    auto url = parse_url(c.text);
    ASSERT_TRUE(url) << c.text;
    EXPECT_EQ(url->secure, c.secure) << c.text;
    EXPECT_EQ(url->host, c.host) << c.text;
    EXPECT_EQ(url->port, c.port) << c.text;
    EXPECT_EQ(url->target, c.target) << c.text;
    EXPECT_EQ(url->host_header(), c.host_header) << c.text;
  }
}

TEST(Url, RefusesWhatIsNotAServerUrl) {
  for (const char* text : {"", "127.0.0.1:80", "ftp://h/", "http://", "http://:80/",
                           "http://h:port/", "http://h:123456/", "http://[::1/"}) {
    auto url = parse_url(text);
    ASSERT_FALSE(url) << text;
    EXPECT_EQ(url.error(), Error::BadUrl) << text;
  }
}
