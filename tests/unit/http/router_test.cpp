#include "switchboard/http/router.hpp"

#include <gtest/gtest.h>

namespace switchboard::http {
namespace {

Handler noop() {
  return [](Exchange) {};
}

TEST(Router, MatchesLiteralPathsWithOrWithoutTrailingSlash) {
  Router r;
  r.get("/ws/chat/", noop());
  EXPECT_EQ(r.match("GET", "/ws/chat/").status, 200);
  EXPECT_EQ(r.match("GET", "/ws/chat").status, 200);
  EXPECT_EQ(r.match("GET", "/ws/chats").status, 404);
}

TEST(Router, CapturesParametersAndTheRest) {
  Router r;
  r.get("/api/rooms/:room/messages", noop());
  r.get("/static/*path", noop());
  auto m = r.match("GET", "/api/rooms/lobby/messages");
  ASSERT_EQ(m.status, 200);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "room");
  EXPECT_EQ(m.params[0].second, "lobby");
  auto s = r.match("GET", "/static/css/site.css");
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.params[0].second, "css/site.css");
  EXPECT_EQ(r.match("GET", "/static").params[0].second, "");
}

TEST(Router, AnswersMethodNotAllowedWithTheAllowedMethods) {
  Router r;
  r.get("/x", noop());
  r.post("/x", noop());
  auto m = r.match("DELETE", "/x");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
}

TEST(Router, LetsGetRoutesAnswerHead) {
  Router r;
  r.get("/x", noop());
  EXPECT_EQ(r.match("HEAD", "/x").status, 200);
}

}  // namespace
}  // namespace switchboard::http
