#include "switchboard/metrics/family.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace switchboard::metrics {
namespace {

TEST(FormatText, WritesHelpTypeAndSamplesOfEachFamily) {
  std::vector<Family> families{
      {"app_jobs_total", "Jobs done.", Type::Counter, {{"app_jobs_total", {}, 3}}},
      {"app_queue",
       "Waiting.",
       Type::Gauge,
       {{"app_queue", {{"queue", "a"}}, 1.5}, {"app_queue", {{"queue", "b"}}, -2}}},
  };
  EXPECT_EQ(format_text(families),
            "# HELP app_jobs_total Jobs done.\n"
            "# TYPE app_jobs_total counter\n"
            "app_jobs_total 3\n"
            "# HELP app_queue Waiting.\n"
            "# TYPE app_queue gauge\n"
            "app_queue{queue=\"a\"} 1.5\n"
            "app_queue{queue=\"b\"} -2\n");
}

TEST(FormatText, MergesFamiliesOfOneNameUnderOneHelpAndType) {
  std::vector<Family> families{
      {"x", "First.", Type::Gauge, {{"x", {{"n", "1"}}, 1}}},
      {"y", "Other.", Type::Untyped, {{"y", {}, 0}}},
      {"x", "Second.", Type::Gauge, {{"x", {{"n", "2"}}, 2}}},
  };
  EXPECT_EQ(format_text(families),
            "# HELP x First.\n# TYPE x gauge\nx{n=\"1\"} 1\nx{n=\"2\"} 2\n"
            "# HELP y Other.\n# TYPE y untyped\ny 0\n");
}

TEST(FormatText, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escape_help("line\\one\nline \"two\""), "line\\\\one\\nline \"two\"");
  std::vector<Family> families{
      {"rooms", "Per\nroom.", Type::Gauge, {{"rooms", {{"room", "say \"hi\"\\\n"}}, 1}}}};
  EXPECT_EQ(
      format_text(families),
      "# HELP rooms Per\\nroom.\n# TYPE rooms gauge\nrooms{room=\"say \\\"hi\\\"\\\\\\n\"} 1\n");
}

TEST(FormatValue, GivesIntegersExactlyAndSpecialValuesByName) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(18446744073709.0), "18446744073709");
  EXPECT_EQ(format_value(-7), "-7");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(0.0001), "0.0001");
  EXPECT_EQ(format_value(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_value(1e-9), "1e-09");
  EXPECT_EQ(format_value(1e300), "1e+300");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(Names, FollowThePrometheusRules) {
  EXPECT_TRUE(valid_name("switchboard_sent_bytes_total"));
  EXPECT_TRUE(valid_name("job:rate5m"));
  EXPECT_FALSE(valid_name(""));
  EXPECT_FALSE(valid_name("1abc"));
  EXPECT_FALSE(valid_name("a-b"));
  EXPECT_TRUE(valid_label_name("namespace"));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_FALSE(valid_label_name("__reserved"));
}

}  // namespace
}  // namespace switchboard::metrics
