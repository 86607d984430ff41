// The emit path's EVENT text (detail::encode_event_text), written from the name and the
// arguments without building a packet: the same bytes as the general encoder, for every
// namespace, ack id and kind of value; and the checks and buffer that go with it.
#include "socketio/event_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <limits>

#include "socketio/json_text.hpp"
#include "switchboard/socketio/args.hpp"
#include "switchboard/socketio/parser.hpp"

namespace switchboard::socketio {
namespace {

struct EventTextCase {
  std::string nsp;
  std::string event;
  std::string args;  // a JSON array
  std::optional<std::uint64_t> id;
  std::string wire;
};

const EventTextCase event_text_cases[] = {
    {"/", "echo", R"(["64 bytes of text"])", {}, R"(2["echo","64 bytes of text"])"},
    {"/", "ping", "[]", {}, R"(2["ping"])"},
    {"", "ping", "[]", 0, R"(20["ping"])"},
    {"/admin", "project:delete", "[123]", 456, R"(2/admin,456["project:delete",123])"},
    {"/chat",
     "msg",
     R"([{"text":"hi"},[1,2],null,true,-1.5])",
     {},
     R"(2/chat,["msg",{"text":"hi"},[1,2],null,true,-1.5E0])"},
    {"/", "quote\"back\\slash\x1e\x7f", R"(["tab\t", "é€😀"])", 18446744073709551615u,
     "218446744073709551615[\"quote\\\"back\\\\slash\\u001e\x7f\",\"tab\\t\",\"é€😀\"]"},
    {"/", "é", R"([{"_placeholder":true,"num":0}])", {}, R"(2["é",{"_placeholder":true,"num":0}])"},
    {"/",
     "big",
     R"([18446744073709551615, -9223372036854775808, 1e300])",
     {},
     R"(2["big",18446744073709551615,-9223372036854775808,1E300])"},
};

class EventText : public testing::TestWithParam<EventTextCase> {};

TEST_P(EventText, WritesWhatTheGeneralEncoderWrites) {
  const auto& c = GetParam();
  const auto args = boost::json::parse(c.args).as_array();
  std::string fast = "kept:";
  detail::encode_event_text(fast, c.nsp, c.event, args, c.id);
  EXPECT_EQ(fast, "kept:" + c.wire);
  Packet packet{.type = PacketType::Event, .nsp = c.nsp.empty() ? "/" : c.nsp, .id = c.id};
  boost::json::array data;
  data.emplace_back(c.event);
  for (const auto& arg : args) data.push_back(arg);
  packet.data = std::move(data);
  std::string general;
  encode(general, packet);
  EXPECT_EQ(fast.substr(5), general);
}

INSTANTIATE_TEST_SUITE_P(Emits, EventText, testing::ValuesIn(event_text_cases));

TEST(EventText, WritesNonFiniteNumbersAsNullLikeTheGeneralEncoder) {
  boost::json::array args;
  args.emplace_back(std::numeric_limits<double>::infinity());
  args.emplace_back(boost::json::object{{"nan", std::nan("")}});
  std::string out;
  detail::encode_event_text(out, "/", "n", args, std::nullopt);
  EXPECT_EQ(out, R"(2["n",null,{"nan":null}])");
}

TEST(EventText, SerialisesLargeArgumentsCompletely) {
  boost::json::array args;
  args.emplace_back(std::string(100000, 'x'));
  args.emplace_back(std::string(300, '"'));
  std::string out;
  detail::encode_event_text(out, "/", std::string(1000, '\n'), args, 7);
  std::string expected = "27[\"";
  for (int i = 0; i < 1000; ++i) expected += "\\n";
  expected += "\",\"" + std::string(100000, 'x') + "\",\"";
  for (int i = 0; i < 300; ++i) expected += "\\\"";
  expected += "\"]";
  EXPECT_EQ(out, expected);
}

// Every byte at every position of a word and of the tail: the plain strings are copied, the
// others escaped, exactly as Boost.JSON's serializer writes them.
TEST(AppendJsonString, WritesWhatBoostJsonWrites) {
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t at = 0; at < 19; ++at) {
      std::string text(19, 'a');
      text[at] = static_cast<char>(byte);
      std::string out = "kept:";
      detail::append_json_string(out, text);
      EXPECT_EQ(out, "kept:" + boost::json::serialize(boost::json::string_view(text)))
          << "byte " << byte << " at " << at;
    }
  }
  std::string out;
  detail::append_json_string(out, "");
  EXPECT_EQ(out, R"("")");
}

TEST(HasBinary, FindsABinaryValueAtAnyDepth) {
  EXPECT_FALSE(detail::has_binary(boost::json::array{1, "a", boost::json::object{{"b", 2}}}));
  EXPECT_FALSE(detail::has_binary(boost::json::array{}));
  // A placeholder as a client sends it (no bytes) is plain JSON to the emit path.
  EXPECT_FALSE(detail::has_binary(boost::json::parse(R"([{"_placeholder":true,"num":0}])")));
  EXPECT_TRUE(detail::has_binary(boost::json::array{binary("x")}));
  boost::json::array nested;
  nested.emplace_back(boost::json::object{{"deep", boost::json::array{1, binary("")}}});
  EXPECT_TRUE(detail::has_binary(nested));
  EXPECT_TRUE(detail::has_binary(boost::json::value(binary("y"))));
}

TEST(ScratchText, IsTheThreadsBufferUnlessInUseFurtherUp) {
  std::string* outer_buffer = nullptr;
  {
    detail::ScratchText outer;
    outer.get() += "outer";
    outer_buffer = &outer.get();
    {
      detail::ScratchText inner;
      EXPECT_NE(&inner.get(), outer_buffer);
      EXPECT_TRUE(inner.get().empty());
      inner.get() += "inner";
    }
    EXPECT_EQ(outer.get(), "outer");
  }
  detail::ScratchText again;
  EXPECT_EQ(&again.get(), outer_buffer);  // the thread's buffer, reused
  EXPECT_TRUE(again.get().empty());
}

}  // namespace
}  // namespace switchboard::socketio
