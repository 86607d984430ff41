#pragma once
// Private: every thread's cells, and the totals of the threads that ended.

#include <functional>

#include "switchboard/metrics/cells.hpp"

namespace switchboard::metrics::detail {

/// What the built-in metrics read: calls `fn` with the cells of every live thread and with
/// the totals of those that ended (its `shard` is -1), under the registry's lock.
void for_each_thread(const std::function<void(const ThreadCells&)>& fn);

}  // namespace switchboard::metrics::detail
