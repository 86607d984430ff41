#include <switchboard/socketio/args.hpp>
#include <switchboard/socketio/socket.hpp>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <cstdint>
#include <limits>

namespace switchboard::socketio {
namespace {

using boost::json::parse;

TEST(ValueAs, GivesTheValueOfTheAskedType) {
  EXPECT_EQ(value_as<std::string>(parse(R"("hi")")), "hi");
  EXPECT_EQ(value_as<std::string_view>(parse(R"("hi")")), "hi");
  EXPECT_EQ(value_as<bool>(parse("true")), true);
  EXPECT_EQ(value_as<int>(parse("-42")), -42);
  EXPECT_EQ(value_as<std::uint64_t>(parse("18446744073709551615")),
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(value_as<double>(parse("1.5")), 1.5);
  EXPECT_EQ(value_as<double>(parse("2")), 2.0);
  EXPECT_EQ(value_as<boost::json::object>(parse(R"({"a":1})")), parse(R"({"a":1})").as_object());
  EXPECT_EQ(value_as<boost::json::array>(parse("[1,2]")), parse("[1,2]").as_array());
  EXPECT_EQ(value_as<std::vector<int>>(parse("[1,2]")), (std::vector<int>{1, 2}));
}

TEST(ValueAs, TakesWholeDoublesAsIntegers) {
  EXPECT_EQ(value_as<int>(parse("3.0")), 3);
  EXPECT_EQ(value_as<int>(parse("3.5")), std::nullopt);
  EXPECT_EQ(value_as<std::int64_t>(parse("1e300")), std::nullopt);
}

TEST(ValueAs, GivesNothingForAnotherTypeOrAnIntegerOutOfRange) {
  EXPECT_EQ(value_as<std::string>(parse("1")), std::nullopt);
  EXPECT_EQ(value_as<int>(parse(R"("1")")), std::nullopt);
  EXPECT_EQ(value_as<bool>(parse("1")), std::nullopt);
  EXPECT_EQ(value_as<double>(parse("null")), std::nullopt);
  EXPECT_EQ(value_as<std::uint8_t>(parse("256")), std::nullopt);
  EXPECT_EQ(value_as<unsigned>(parse("-1")), std::nullopt);
  EXPECT_EQ(value_as<boost::json::object>(parse("[]")), std::nullopt);
  EXPECT_EQ(value_as<std::vector<int>>(parse(R"(["x"])")), std::nullopt);
}

TEST(Field, ReadsAMemberOfAnObjectWithoutThrowing) {
  auto v = parse(R"({"text":"hello","n":7})");
  EXPECT_EQ(field<std::string>(v, "text"), "hello");
  EXPECT_EQ(field<int>(v, "n"), 7);
  EXPECT_EQ(field<int>(v, "text"), std::nullopt);
  EXPECT_EQ(field<int>(v, "missing"), std::nullopt);
  EXPECT_EQ(field<int>(parse("[1]"), "n"), std::nullopt);
}

TEST(EventArg, ReadsArgumentsAndTheirFieldsWithoutThrowing) {
  Event e{.name = "chat", .args = Args::of("room", boost::json::object{{"text", "hi"}}), .ack = {}};
  EXPECT_EQ(e.arg<std::string>(0), "room");
  EXPECT_EQ(e.arg<std::string>(1, "text"), "hi");
  EXPECT_EQ(e.arg<std::string>(1), std::nullopt);
  EXPECT_EQ(e.arg<std::string>(2), std::nullopt);
  EXPECT_EQ(e.arg<std::string>(5, "text"), std::nullopt);
}

}  // namespace
}  // namespace switchboard::socketio
