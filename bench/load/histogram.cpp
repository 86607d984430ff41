#include "histogram.hpp"

#include <bit>
#include <cmath>

namespace switchboard::bench {

std::size_t Histogram::index(std::uint64_t ns) {
  if (ns < exact) return static_cast<std::size_t>(ns);
  const int exponent = 63 - std::countl_zero(ns);       // 7..63
  const std::uint64_t mantissa = ns >> (exponent - 6);  // 64..127
  return exact + static_cast<std::size_t>(exponent - 7) * sub_buckets +
         static_cast<std::size_t>(mantissa - sub_buckets);
}

std::uint64_t Histogram::middle(std::size_t i) {
  if (i < exact) return i;
  const std::size_t exponent = (i - exact) / sub_buckets + 7;
  const std::uint64_t mantissa = (i - exact) % sub_buckets + sub_buckets;
  const std::uint64_t low = mantissa << (exponent - 6);
  return low + (std::uint64_t{1} << (exponent - 6)) / 2;
}

void Histogram::record(std::uint64_t ns) {
  ++buckets_[index(ns)];
  ++count_;
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

std::uint64_t Histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return middle(i);
  }
  return middle(bucket_count - 1);
}

}  // namespace switchboard::bench
