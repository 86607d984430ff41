#pragma once
/// What the load generator reads about the server process from /proc.

#include <optional>

#include <sys/types.h>

namespace switchboard::bench {

/// CPU time a process has used, all threads, in seconds.
struct CpuTimes {
  double user = 0;
  double system = 0;
  double total() const { return user + system; }
};

/// The process's CPU times from /proc/<pid>/stat (utime, stime); nullopt when unreadable.
std::optional<CpuTimes> process_cpu_times(pid_t pid);

/// Seconds the process's threads spent runnable but waiting for a CPU (the second field of
/// /proc/<pid>/task/*/schedstat, summed); nullopt when unreadable. A server that waits
/// much was not given its core: other work on the machine took it.
std::optional<double> process_runqueue_wait_seconds(pid_t pid);

/// Resident set size in KiB (VmRSS of /proc/<pid>/status); nullopt when it cannot be read.
std::optional<long> process_rss_kib(pid_t pid);

/// Raises this process's open-file limit to its hard limit; returns the new soft limit.
long raise_fd_limit();

}  // namespace switchboard::bench
