#include "switchboard/http/request.hpp"

#include <gtest/gtest.h>

#include "switchboard/http/cors.hpp"

namespace switchboard::http {
namespace {

TEST(Request, DecodesQueryParameters) {
  Request r;
  r.query = "after=12&name=J%C3%BCrgen+K&flag&x=%zz";
  EXPECT_EQ(r.query_param("after"), "12");
  EXPECT_EQ(r.query_param("name"), "J\xC3\xBCrgen K");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_EQ(r.query_param("missing"), std::nullopt);
  EXPECT_EQ(r.query_param("x"), std::nullopt);
}

TEST(Request, PercentDecodingRejectsTruncatedEscapes) {
  EXPECT_EQ(percent_decode("%2e%2E"), "..");
  EXPECT_EQ(percent_decode("a%2"), std::nullopt);
  EXPECT_EQ(percent_decode("a%"), std::nullopt);
  EXPECT_EQ(percent_decode("a+b"), "a+b");
}

TEST(Request, HeaderNamesAreCaseInsensitive) {
  Headers h;
  h.add("Content-Type", "text/plain");
  EXPECT_EQ(h.get("content-type"), "text/plain");
  h.set("CONTENT-TYPE", "x");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.get("Content-Type"), "x");
  h.add("Vary", "Origin");
  h.add("vary", "Cookie");
  std::vector<std::pair<std::string, std::string>> seen;
  for (auto [name, value] : h) seen.emplace_back(name, value);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"CONTENT-TYPE", "x"}, {"Vary", "Origin"}, {"vary", "Cookie"}}));
  EXPECT_EQ(h.get("VARY"), "Origin");
  EXPECT_TRUE(has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_FALSE(has_token("keep-alive, Upgrader", "upgrade"));
}

TEST(Request, IequalsFoldsAsciiLettersOnly) {
  EXPECT_TRUE(iequals("Sec-WebSocket-Key", "Sec-WebSocket-Key"));
  EXPECT_TRUE(iequals("sec-websocket-KEY", "Sec-WebSocket-Key"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Host", "Hos"));
  EXPECT_FALSE(iequals("Host", "Hosu"));
  EXPECT_FALSE(iequals("a^b", "a~b"));  // 0x5E and 0x7E differ by the case bit, yet no letters
  EXPECT_FALSE(iequals("a@b", "a`b"));
}

TEST(Cors, AllowsOnlyListedWellFormedOrigins) {
  CorsOptions cors{.allowed_origins = {"https://a.example"}};
  EXPECT_TRUE(cors.allows("https://a.example"));
  EXPECT_FALSE(cors.allows("https://b.example"));
  EXPECT_FALSE(cors.allows(""));
  CorsOptions any{.allowed_origins = {"*"}};
  EXPECT_TRUE(any.allows("http://x:1"));
  EXPECT_FALSE(any.allows("http://x\r\nSet-Cookie: a"));
  EXPECT_FALSE(valid_origin("nonsense"));
}

TEST(Cors, PreflightOfAnAllowedOriginListsMethodsAndHeaders) {
  CorsOptions cors{.allowed_origins = {"https://a.example"}, .allow_credentials = true};
  Request req;
  req.method = "OPTIONS";
  req.headers.add("Origin", "https://a.example");
  req.headers.add("Access-Control-Request-Method", "POST");
  req.headers.add("Access-Control-Request-Headers", "content-type");
  auto r = cors.preflight(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->headers.get("Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(r->headers.get("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(r->headers.get("Access-Control-Allow-Headers"), "content-type");
  req.headers.set("Origin", "https://evil.example");
  EXPECT_EQ(cors.preflight(req)->status, 403);
}

}  // namespace
}  // namespace switchboard::http
