#include "switchboard/sse/event.hpp"

#include <gtest/gtest.h>

namespace switchboard::sse {
namespace {

using namespace std::chrono_literals;

struct FormatCase {
  const char* name;
  Event event;
  const char* wire;
};

const FormatCase format_cases[] = {
    {"plain data", {.data = "hello"}, "data: hello\n\n"},
    {"empty data still dispatches", {.data = ""}, "data: \n\n"},
    {"LF splits lines", {.data = "a\nb"}, "data: a\ndata: b\n\n"},
    {"CR LF splits lines", {.data = "a\r\nb"}, "data: a\ndata: b\n\n"},
    {"lone CR splits lines", {.data = "a\rb"}, "data: a\ndata: b\n\n"},
    {"mixed breaks", {.data = "a\r\n\rb\nc"}, "data: a\ndata: \ndata: b\ndata: c\n\n"},
    {"trailing break keeps an empty line", {.data = "a\n"}, "data: a\ndata: \n\n"},
    {"CR then CR LF", {.data = "a\r\r\n"}, "data: a\ndata: \ndata: \n\n"},
    {"leading space kept", {.data = " x"}, "data:  x\n\n"},
    {"event name", {.data = "d", .event = "update"}, "event: update\ndata: d\n\n"},
    {"id", {.data = "d", .id = "42"}, "id: 42\ndata: d\n\n"},
    {"retry", {.data = "d", .retry = 3000ms}, "retry: 3000\ndata: d\n\n"},
    {"every field",
     {.data = "x\ny", .event = "e", .id = "7", .retry = 10ms},
     "event: e\nid: 7\nretry: 10\ndata: x\ndata: y\n\n"},
};

class FormatEvent : public testing::TestWithParam<FormatCase> {};

TEST_P(FormatEvent, WritesTheWireForm) {
  auto wire = format(GetParam().event);
  ASSERT_TRUE(wire) << wire.error().message();
  EXPECT_EQ(*wire, GetParam().wire);
}

INSTANTIATE_TEST_SUITE_P(Sse, FormatEvent, testing::ValuesIn(format_cases), [](const auto& info) {
  std::string name = info.param.name;
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
});

struct RejectCase {
  Event event;
  Error error;
};

const RejectCase reject_cases[] = {
    {{.data = "d", .id = "1\n2"}, Error::InvalidId},
    {{.data = "d", .id = "1\r"}, Error::InvalidId},
    {{.data = "d", .id = std::string_view("1\0", 2)}, Error::InvalidId},
    {{.data = "d", .event = "a\nb"}, Error::InvalidEventName},
    {{.data = "d", .event = "\r"}, Error::InvalidEventName},
};

class RejectEvent : public testing::TestWithParam<RejectCase> {};

TEST_P(RejectEvent, ReportsTheFieldAndWritesNothing) {
  std::string out = "before";
  auto ec = append_event(out, GetParam().event);
  EXPECT_EQ(ec, make_error_code(GetParam().error));
  EXPECT_EQ(out, "before");
  EXPECT_FALSE(format(GetParam().event));
}

INSTANTIATE_TEST_SUITE_P(Sse, RejectEvent, testing::ValuesIn(reject_cases));

TEST(SseEvent, AppendAddsAfterWhatIsThere) {
  std::string out = "data: a\n\n";
  EXPECT_FALSE(append_event(out, {.data = "b"}));
  EXPECT_EQ(out, "data: a\n\ndata: b\n\n");
}

TEST(SseComment, PrefixesEveryLineWithAColon) {
  EXPECT_EQ(comment(""), ":\n");
  EXPECT_EQ(comment("ping"), ": ping\n");
  EXPECT_EQ(comment("a\r\nb\rc\n"), ": a\n: b\n: c\n:\n");
}

TEST(SseRetry, IsALoneFieldThatDispatchesNothing) {
  EXPECT_EQ(retry(2500ms), "retry: 2500\n\n");
}

TEST(SseError, HasItsOwnCategory) {
  auto ec = make_error_code(Error::InvalidId);
  EXPECT_STREQ(ec.category().name(), "sse");
  EXPECT_FALSE(ec.message().empty());
}

}  // namespace
}  // namespace switchboard::sse
