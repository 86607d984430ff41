#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "metrics/thread_cells.hpp"

namespace switchboard::metrics {

namespace detail {

namespace {

// Every thread's block, and the totals of the threads that ended. Touched when a thread first
// counts, when it ends, and when scraped: never on the counting path.
struct Threads {
  std::mutex mutex;
  std::vector<ThreadCells*> live;
  ThreadCells ended;
};

Threads& threads() {
  // Never destroyed: threads may end (and fold their cells) during static destruction.
  static auto* t = new Threads;
  return *t;
}

void fold(Cell& into, const Cell& from) {
  into.add(from.get());
}

// Folds the thread's cells into the totals when the thread ends.
struct Retire {
  ThreadCells* cells = nullptr;
  ~Retire() {
    if (!cells) return;
    auto& t = threads();
    std::lock_guard lock(t.mutex);
    for (std::size_t i = 0; i < kStats; ++i) fold(t.ended.stats[i], cells->stats[i]);
    for (std::size_t h = 0; h < kHistograms; ++h) {
      auto& into = t.ended.histograms[h];
      const auto& from = cells->histograms[h];
      for (std::size_t b = 0; b < into.buckets.size(); ++b) fold(into.buckets[b], from.buckets[b]);
      fold(into.sum_ns, from.sum_ns);
      fold(into.count, from.count);
    }
    std::erase(t.live, cells);
    delete cells;
    t_cells = nullptr;
    t_ended = true;
  }
  static thread_local bool t_ended;
};
thread_local bool Retire::t_ended = false;
thread_local Retire t_retire;

// Where a thread counts after its cells were folded (a destructor running at its very end):
// shared, so counts made there may be lost, but never unsafely.
ThreadCells& late_cells() {
  static auto* cells = new ThreadCells;
  return *cells;
}

}  // namespace

ThreadCells& attach_thread() {
  if (Retire::t_ended) return late_cells();
  auto* cells = new ThreadCells;
  {
    auto& t = threads();
    std::lock_guard lock(t.mutex);
    t.live.push_back(cells);
  }
  t_retire.cells = cells;
  t_cells = cells;
  return *cells;
}

void for_each_thread(const std::function<void(const ThreadCells&)>& fn) {
  auto& t = threads();
  std::lock_guard lock(t.mutex);
  for (const auto* cells : t.live) fn(*cells);
  fn(t.ended);
}

}  // namespace detail

void observe(Histogram histogram, std::chrono::nanoseconds duration) {
  auto& h = this_thread().histograms[static_cast<std::size_t>(histogram)];
  double seconds = std::chrono::duration<double>(duration).count();
  auto bucket = static_cast<std::size_t>(
      std::lower_bound(kDurationBuckets.begin(), kDurationBuckets.end(), seconds) -
      kDurationBuckets.begin());
  h.buckets[bucket].add(1);
  h.sum_ns.add(static_cast<std::uint64_t>(std::max<std::int64_t>(duration.count(), 0)));
  h.count.add(1);
}

}  // namespace switchboard::metrics
