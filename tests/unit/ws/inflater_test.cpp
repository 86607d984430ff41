#include "switchboard/ws/inflater.hpp"

#include <gtest/gtest.h>

#include "switchboard/ws/deflater.hpp"
#include "ws_test_util.hpp"

namespace switchboard::ws {
namespace {

using test::as_span;
using test::bytes;

TEST(Inflater, InflatesTheRfc7692HelloExample) {
  Inflater inflater;
  std::string out;
  const std::string hello = bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
  ASSERT_EQ(inflater.inflate(as_span(hello), out, 100), InflateStatus::Ok);
  ASSERT_EQ(inflater.finish_message(out, 100), InflateStatus::Ok);
  EXPECT_EQ(out, "Hello");
}

TEST(Inflater, StopsAtTheLimitWithoutProducingMuchMore) {
  Deflater deflater;
  std::string compressed;
  ASSERT_TRUE(deflater.compress(std::string(1 << 20, 'z'), compressed));
  for (size_t limit : {size_t{0}, size_t{1}, size_t{1000}, size_t{(1 << 20) - 1}}) {
    Inflater inflater;
    std::string out;
    EXPECT_EQ(inflater.inflate(as_span(compressed), out, limit), InflateStatus::LimitExceeded);
    EXPECT_EQ(out.size(), limit + 1);
  }
  Inflater inflater;
  std::string out;
  EXPECT_EQ(inflater.inflate(as_span(compressed), out, 1 << 20), InflateStatus::Ok);
  EXPECT_EQ(inflater.finish_message(out, 1 << 20), InflateStatus::Ok);
  EXPECT_EQ(out.size(), size_t{1} << 20);
}

TEST(Inflater, ReportsCorruptInput) {
  Inflater inflater;
  std::string out;
  EXPECT_EQ(inflater.inflate(as_span(bytes({0xff, 0xff, 0xff})), out, 100), InflateStatus::BadData);
}

TEST(Inflater, InflatesAcrossArbitraryChunks) {
  Deflater deflater;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i * 37 % 101) + "\n";
  std::string compressed;
  ASSERT_TRUE(deflater.compress(text, compressed));
  for (size_t chunk : {size_t{1}, size_t{13}, size_t{4096}}) {
    Inflater inflater;
    std::string out;
    for (size_t at = 0; at < compressed.size(); at += chunk) {
      const auto piece = as_span(compressed).subspan(at, std::min(chunk, compressed.size() - at));
      ASSERT_EQ(inflater.inflate(piece, out, text.size()), InflateStatus::Ok);
    }
    ASSERT_EQ(inflater.finish_message(out, text.size()), InflateStatus::Ok);
    EXPECT_EQ(out, text);
  }
}

}  // namespace
}  // namespace switchboard::ws
