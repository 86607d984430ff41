#include "switchboard/log/format.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <vector>

namespace switchboard::log {
namespace {

using namespace std::chrono;

// 2026-12-07T18:19:46.123Z
const system_clock::time_point kTime{milliseconds(1796667586123)};

std::string text(std::string_view message, std::vector<Field> fields = {},
                 Level level = Level::Info) {
  std::string out;
  format_record(out, Format::Text, kTime, level, message, fields);
  return out;
}

std::string json(std::string_view message, std::vector<Field> fields = {},
                 Level level = Level::Info) {
  std::string out;
  format_record(out, Format::Json, kTime, level, message, fields);
  return out;
}

// The JSON record parsed (fails the test when it does not parse).
boost::json::object parsed(const std::string& line) {
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << line;
  return ec ? boost::json::object() : v.as_object();
}

TEST(TextFormat, WritesTimeLevelMessageAndFieldsOnOneLine) {
  EXPECT_EQ(text("http access", {{"method", "GET"}, {"status", 200}, {"ok", true}}),
            "2026-12-07T18:19:46.123Z INFO  http access method=GET status=200 ok=true\n");
  EXPECT_EQ(text("x", {}, Level::Error), "2026-12-07T18:19:46.123Z ERROR x\n");
  EXPECT_EQ(text("x", {}, Level::Warn), "2026-12-07T18:19:46.123Z WARN  x\n");
}

TEST(TextFormat, QuotesValuesOnlyWhenNeeded) {
  struct Case {
    std::string_view value;
    std::string_view written;
  };
  const Case cases[] = {
      {"/socket.io/", "/socket.io/"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},  // UTF-8 stays bare
      {"", "\"\""},
      {"two words", "\"two words\""},
      {"a=b", "\"a=b\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"back\\slash", "\"back\\\\slash\""},
      {"line\nbreak\r\ttab", "\"line\\nbreak\\r\\ttab\""},
      {std::string_view("nul\0bel\x07", 8), "\"nul\\x00bel\\x07\""},
      {"del\x7f", "\"del\\x7f\""},
      {"bad\xff\xc3", "\"bad\\xff\\xc3\""},     // not UTF-8: each byte as \xHH
      {"\xed\xa0\x80", "\"\\xed\\xa0\\x80\""},  // a surrogate is not UTF-8 either
  };
  for (const auto& c : cases) {
    EXPECT_EQ(text("m", {{"k", c.value}}),
              "2026-12-07T18:19:46.123Z INFO  m k=" + std::string(c.written) + "\n")
        << c.written;
  }
}

TEST(TextFormat, QuotesAMessageThatCouldBeMistakenForFields) {
  EXPECT_EQ(text("websocket closed"), "2026-12-07T18:19:46.123Z INFO  websocket closed\n");
  EXPECT_EQ(text("a=b c"), "2026-12-07T18:19:46.123Z INFO  \"a=b c\"\n");
  EXPECT_EQ(text("two\nlines"), "2026-12-07T18:19:46.123Z INFO  \"two\\nlines\"\n");
}

TEST(TextFormat, WritesNumbersInTheirShortestForm) {
  EXPECT_EQ(text("m", {{"a", -3},
                       {"b", std::uint64_t{18446744073709551615u}},
                       {"c", 1.5},
                       {"d", std::nan("")}}),
            "2026-12-07T18:19:46.123Z INFO  m a=-3 b=18446744073709551615 c=1.5 d=NaN\n");
}

TEST(TextFormat, CutsALongValueAtACharacterBoundary) {
  std::string value(kMaxValueBytes - 1, 'a');
  value += "\xc3\xa9tail";  // é straddles the limit
  auto line = text("m", {{"k", value}});
  EXPECT_NE(line.find(std::string(kMaxValueBytes - 1, 'a') + "...\""), std::string::npos);
  EXPECT_EQ(line.find("tail"), std::string::npos);
  EXPECT_LT(line.size(), kMaxValueBytes + 100);
}

TEST(JsonFormat, WritesOneObjectWithTsLevelMsgAndTheFields) {
  auto line =
      json("http access", {{"method", "GET"}, {"status", 200}, {"ms", 1.25}, {"tls", false}});
  EXPECT_EQ(line,
            "{\"ts\":\"2026-12-07T18:19:46.123Z\",\"level\":\"info\",\"msg\":\"http access\","
            "\"method\":\"GET\",\"status\":200,\"ms\":1.25,\"tls\":false}\n");
  auto o = parsed(line);
  EXPECT_EQ(o.at("status").as_int64(), 200);
}

TEST(JsonFormat, EscapesEveryControlCharacter) {
  std::string all;
  for (int c = 0; c < 0x20; ++c) all += static_cast<char>(c);
  all += "\"\\\x7f";
  auto line = json("m", {{"k", all}});
  for (char c : line.substr(0, line.size() - 1)) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "a raw control character";
  }
  EXPECT_NE(line.find("\\u0000\\u0001"), std::string::npos);
  EXPECT_NE(line.find("\\b\\t\\n\\u000b\\f\\r"), std::string::npos);
  EXPECT_EQ(parsed(line).at("k").as_string(), all);
}

TEST(JsonFormat, ReplacesBytesThatAreNotUtf8) {
  auto line = json("m\xff", {{"k", "ok \xc3\xa9 bad \xc3 \xf5\x80\x80\x80 \xe0\x80\x80 end"}});
  auto o = parsed(line);
  EXPECT_EQ(o.at("msg").as_string(), "m\xef\xbf\xbd");
  EXPECT_EQ(o.at("k").as_string(),
            "ok \xc3\xa9 bad \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
}

// The escaper HTTP bodies and the Engine.IO / Socket.IO packets use: whole (never cut), and
// always a JSON text a client parses, whatever bytes it is given.
TEST(JsonString, EscapesControlsReplacesBytesThatAreNotUtf8AndNeverCuts) {
  std::string out = "[";
  append_json_string(out, "a\"b\\c\n\x01 \xc3\xa9 \xff end");
  out += ",";
  const std::string long_value(3 * kMaxValueBytes, 'x');
  append_json_string(out, long_value);
  out += "]";
  auto v = boost::json::parse(out).as_array();
  EXPECT_EQ(v.at(0).as_string(), "a\"b\\c\n\x01 \xc3\xa9 \xef\xbf\xbd end");
  EXPECT_EQ(v.at(1).as_string(), long_value);
}

TEST(JsonFormat, WritesNonFiniteNumbersAsStrings) {
  auto o = parsed(json("m", {{"a", INFINITY}, {"b", std::nan("")}}));
  EXPECT_EQ(o.at("a").as_string(), "Infinity");
  EXPECT_EQ(o.at("b").as_string(), "NaN");
}

}  // namespace
}  // namespace switchboard::log
