#pragma once
/// A latency histogram with log-linear buckets (under 1% error), cheap to record into.

#include <array>
#include <cstdint>

namespace switchboard::bench {

/// Counts non-negative durations in nanoseconds. Values below 128 ns are exact; above, each
/// power of two is cut in 64 buckets. Not thread-safe.
class Histogram {
 public:
  void record(std::uint64_t ns);
  void merge(const Histogram& other);
  std::uint64_t count() const { return count_; }
  /// The value at quantile `q` in [0, 1] (the middle of its bucket), 0 when empty.
  std::uint64_t quantile(double q) const;

 private:
  static constexpr std::size_t exact = 128;
  static constexpr std::size_t sub_buckets = 64;
  static constexpr std::size_t bucket_count = exact + (64 - 7) * sub_buckets;
  static std::size_t index(std::uint64_t ns);
  static std::uint64_t middle(std::size_t index);

  std::array<std::uint64_t, bucket_count> buckets_{};
  std::uint64_t count_ = 0;
};

}  // namespace switchboard::bench
