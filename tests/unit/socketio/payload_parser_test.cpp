// detail::parse_payload keeps one JSON parser per thread: what one payload leaves behind (an
// error half-way, another depth limit, a large value) never shows in the next, and each value
// is the caller's own.
#include "socketio/payload.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace switchboard::socketio::detail {
namespace {

TEST(PayloadParser, APayloadAfterAMalformedOneParsesOnItsOwn) {
  EXPECT_EQ(parse_payload(R"(["a",{"b":[1,2)", 32).error(), make_error_code(Error::InvalidJson));
  EXPECT_EQ(parse_payload(R"(["a"] x)", 32).error(), make_error_code(Error::InvalidJson));
  auto value = parse_payload(R"(["c",3])", 32);
  ASSERT_TRUE(value);
  EXPECT_EQ(*value, boost::json::parse(R"(["c",3])"));
}

TEST(PayloadParser, EachCallHasItsOwnDepthLimit) {
  const std::string deep = "[[[[1]]]]";
  EXPECT_FALSE(parse_payload(deep, 2));
  EXPECT_TRUE(parse_payload(deep, 32));
  EXPECT_FALSE(parse_payload(deep, 3));
  EXPECT_TRUE(parse_payload(deep, 4));
}

TEST(PayloadParser, ValuesOutliveTheNextParse) {
  auto first = parse_payload(R"(["first","a string longer than the short-string buffer"])", 32);
  auto second = parse_payload(R"(["second",{"k":"another string longer than that"}])", 32);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(boost::json::serialize(*first),
            R"(["first","a string longer than the short-string buffer"])");
  EXPECT_EQ(boost::json::serialize(*second),
            R"(["second",{"k":"another string longer than that"}])");
}

TEST(PayloadParser, ALargePayloadThenASmallOne) {
  std::string large = "[";
  for (int i = 0; i < 40000; ++i) large += i == 0 ? "0" : ",0";
  large += "]";
  auto big = parse_payload(large, 32);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->as_array().size(), 40000u);
  auto small = parse_payload("[1]", 32);
  ASSERT_TRUE(small);
  EXPECT_EQ(*small, boost::json::parse("[1]"));
}

}  // namespace
}  // namespace switchboard::socketio::detail
