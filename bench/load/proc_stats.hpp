#pragma once
/// What the load generator reads about the server process from /proc.

#include <optional>

#include <sys/types.h>

namespace switchboard::bench {

/// CPU time the process has used (user + system, all threads) in seconds, from
/// /proc/<pid>/stat; nullopt when it cannot be read.
std::optional<double> process_cpu_seconds(pid_t pid);

/// Resident set size in KiB (VmRSS of /proc/<pid>/status); nullopt when it cannot be read.
std::optional<long> process_rss_kib(pid_t pid);

/// Raises this process's open-file limit to its hard limit; returns the new soft limit.
long raise_fd_limit();

}  // namespace switchboard::bench
