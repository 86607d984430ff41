#include <switchboard/socketio/args.hpp>
#include <switchboard/socketio/packet.hpp>
#include <switchboard/socketio/parser.hpp>
#include <switchboard/socketio/socket.hpp>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace switchboard::socketio {
namespace {

using boost::json::parse;

TEST(BinaryValue, CarriesItsBytesAndIsToldApartFromOtherValues) {
  std::string bytes("\x00\x01\xff", 3);
  auto v = binary(bytes);
  ASSERT_TRUE(as_binary(v));
  EXPECT_EQ(*as_binary(v), bytes);
  EXPECT_EQ(as_binary(parse(R"({"_placeholder":true,"num":0})")), std::nullopt);
  EXPECT_EQ(as_binary(parse(R"("bytes")")), std::nullopt);
  EXPECT_EQ(as_binary(parse(R"({"_placeholder":true,"_bytes":"x","more":1})")), std::nullopt);
  EXPECT_EQ(boost::json::value_from(Binary{bytes}), v);
  EXPECT_EQ(value_as<Binary>(v)->bytes, bytes);
  EXPECT_EQ(value_as<Binary>(parse("1")), std::nullopt);
}

TEST(BinaryValue, KeepsItsBytesWhenCopiedOutOfArgsAndNested) {
  Args received = Args::of("text", Binary{"\x01\x02"});
  boost::json::value taken = received[1];  // a copy, as emit(event, e.args[1]) makes
  Args passed = Args::of(boost::json::object{{"deep", boost::json::array{taken}}});
  EXPECT_EQ(*as_binary(passed[0].at_pointer("/deep/0")), "\x01\x02");
}

TEST(ExtractBinaries, ReplacesEachBinaryAtAnyDepthWithAPlaceholderInOrder) {
  boost::json::value data = boost::json::array{"upload", binary("first"),
                                               boost::json::object{{"inner", binary("second")}}};
  std::vector<std::string> attachments;
  extract_binaries(data, attachments);
  EXPECT_EQ(attachments, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(data, parse(R"(["upload",{"_placeholder":true,"num":0},)"
                        R"({"inner":{"_placeholder":true,"num":1}}])"));
}

TEST(InlineAttachments, GivesEachPlaceholderItsBufferAsABinaryValue) {
  auto data = parse(R"(["x",{"deep":[{"_placeholder":true,"num":1}]},)"
                    R"({"_placeholder":true,"num":0},{"_placeholder":true,"num":7}])");
  inline_attachments(data, {"zero", "one"});
  EXPECT_EQ(*as_binary(data.at_pointer("/1/deep/0")), "one");
  EXPECT_EQ(*as_binary(data.at_pointer("/2")), "zero");
  // A placeholder that refers to no attachment stays what it was.
  EXPECT_EQ(data.at_pointer("/3"), parse(R"({"_placeholder":true,"num":7})"));
}

TEST(InlineAttachments, RoundTripsThroughTheCodec) {
  Decoder decoder;
  auto first = decoder.feed_text(R"(52-["up",{"a":{"_placeholder":true,"num":0}},)"
                                 R"({"_placeholder":true,"num":1}])");
  ASSERT_TRUE(first && !*first);
  ASSERT_TRUE(decoder.feed_binary("A"));
  auto done = decoder.feed_binary("B");
  ASSERT_TRUE(done && *done);
  auto packet = std::move(**done);
  inline_attachments(packet.data, packet.attachments);
  // Passed on as values, nested differently: the bytes follow.
  Packet out{.type = PacketType::Event};
  out.data =
      boost::json::array{"down", packet.data.at_pointer("/2"), packet.data.at_pointer("/1/a")};
  extract_binaries(out.data, out.attachments);
  std::string text;
  encode(text, out);
  EXPECT_EQ(text, R"(52-["down",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  EXPECT_EQ(out.attachments, (std::vector<std::string>{"B", "A"}));
}

}  // namespace
}  // namespace switchboard::socketio
