// The msgpack codec against bytes produced by notepack.io 3.0.1 (the codec of the Node
// adapter), and its handling of malformed input.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/adapter/error.hpp"
#include "switchboard/adapter/msgpack.hpp"
#include "switchboard/adapter/wire_value.hpp"
#include "switchboard/socketio/packet.hpp"

namespace sa = switchboard::adapter;
namespace json = boost::json;

namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += {digits[c >> 4], digits[c & 15]};
  return out;
}

// A value with two binaries, as the Socket.IO layer holds it.
sa::WireValue nested_value() {
  sa::WireValue v;
  v.attachments = {std::string("\x01\x02\x03", 3), "x"};
  v.json = json::parse(R"({"a":[1,-1,300,-300,70000,1.5,true,null,"é"],
      "b":{"_placeholder":true,"num":0},"c":{"d":[{"_placeholder":true,"num":1}]}})");
  return v;
}

}  // namespace

TEST(Msgpack, EncodesAsNotepackDoes) {
  struct Case {
    json::value value;
    const char* bytes;
  } cases[] = {
      {json::value(1099511627776LL), "cf0000010000000000"},
      {json::value(-1099511627776LL), "d3ffffff0000000000"},
      {json::value(0.1), "cb3fb999999999999a"},
      {json::value(3.0), "03"},
      {json::parse("[null]"), "91c0"},
      {json::parse(R"({"b":1})"), "81a16201"},
  };
  for (const auto& c : cases) EXPECT_EQ(hex(sa::encode_msgpack(c.value)), c.bytes) << c.value;
}

TEST(Msgpack, BinaryAtAnyDepthBecomesBinAndComesBack) {
  const std::string notepack =
      "83a1619901ffcd012cd1fed4ce00011170cb3ff8000000000000c3c0a2c3a9a162c403010203a16381a16491c401"
      "78";
  EXPECT_EQ(hex(sa::to_msgpack(nested_value())), notepack);
  auto decoded = sa::from_msgpack(unhex(notepack));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, nested_value());
}

TEST(Msgpack, DatesBecomeTheirJsonText) {
  auto date = sa::from_msgpack(unhex("d7ffa1a5d60065937d25"));
  ASSERT_TRUE(date);
  EXPECT_EQ(date->json, json::value("2024-01-02T03:04:05.678Z"));
  auto epoch = sa::from_msgpack(unhex("d6ff00000000"));
  ASSERT_TRUE(epoch);
  EXPECT_EQ(epoch->json, json::value("1970-01-01T00:00:00.000Z"));
}

TEST(Msgpack, NotepackUndefinedIsDroppedFromMapsAndNullInArrays) {
  auto v = sa::from_msgpack(unhex("82a161d40000a16292d4000001"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->json, json::parse(R"({"b":[null,1]})"));
}

TEST(Msgpack, NanAndInfinitiesBecomeNullAsJsonStringifyMakesThem) {
  // [NaN (float 64), Infinity (float 64), -Infinity (float 32), 1.5]
  auto v =
      sa::from_msgpack(unhex("94cb7ff8000000000000cb7ff0000000000000caff800000cb3ff8000000000000"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->json, json::parse("[null,null,null,1.5]"));
}

TEST(Msgpack, OtherExtensionsBecomeTypeAndBytes) {
  auto v = sa::from_msgpack(unhex("d50561ff"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->json, json::parse(R"([5,{"_placeholder":true,"num":0}])"));
  EXPECT_EQ(v->attachments, std::vector<std::string>{"a\xff"});
}

TEST(Msgpack, IntegerKeysBecomeText) {
  auto v = sa::from_msgpack(unhex("8107c3"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->json, json::parse(R"({"7":true})"));
}

TEST(Msgpack, MalformedInputIsAnErrorNeverAThrow) {
  struct Case {
    const char* bytes;
    sa::Error error;
  } cases[] = {
      {"", sa::Error::MalformedMessage},
      {"c1", sa::Error::MalformedMessage},
      {"92", sa::Error::MalformedMessage},          // array missing its items
      {"dd7fffffff", sa::Error::MalformedMessage},  // huge length, no bytes
      {"c4ff00", sa::Error::MalformedMessage},      // bin longer than the input
      {"81c001", sa::Error::MalformedMessage},      // nil key
      {"0101", sa::Error::TrailingBytes},
      {"cb3ff0", sa::Error::MalformedMessage},  // truncated double
  };
  for (const auto& c : cases) {
    auto v = sa::from_msgpack(unhex(c.bytes));
    ASSERT_FALSE(v) << c.bytes;
    EXPECT_EQ(v.error(), sa::make_error_code(c.error)) << c.bytes;
  }
  std::string deep(sa::kMaxDepth + 2, '\x91');
  deep += '\xc0';
  auto v = sa::from_msgpack(deep);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), sa::make_error_code(sa::Error::NestingTooDeep));
}

TEST(Msgpack, EveryValueKindRoundTrips) {
  const auto value = json::parse(
      R"({"s":"","long":"0123456789012345678901234567890123456789","n":[0,127,128,255,256,65535,
          65536,4294967295,4294967296,-32,-33,-128,-129,-32768,-32769,-2147483648,-2147483649],
          "f":[0.5,-2.25,1e300],"u":18446744073709551615,"b":[true,false],"z":null,"e":{},"a":[]})");
  auto v = sa::from_msgpack(sa::encode_msgpack(value));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->json, value);
}

TEST(Msgpack, EveryOneByteMutationAndTruncationOfAMessageIsHandled) {
  // A poor man's fuzzer, run on every test: the decoder sees each byte replaced by each value,
  // and every prefix; it must answer (value or error) without a crash or a sanitizer report.
  const std::string sample = sa::to_msgpack(nested_value());
  std::size_t decoded = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    std::string mutated = sample;
    for (int b = 0; b < 256; ++b) {
      mutated[i] = static_cast<char>(b);
      if (sa::from_msgpack(mutated)) ++decoded;
    }
    EXPECT_FALSE(sa::from_msgpack(std::string_view(sample).substr(0, i))) << i;
  }
  EXPECT_GT(decoded, sample.size());  // many mutations are still valid msgpack
}
