// kill -9 while appending: every acknowledged message is in the database afterwards.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "store_test_support.hpp"
#include "switchboard/store/message_store.hpp"

namespace switchboard::store {
namespace {

using test::open_store;
using test::TempDir;

// The child: appends forever and writes each acknowledged id to `fd` (from the worker thread,
// i.e. only after its transaction committed). Never returns.
[[noreturn]] void append_until_killed(const std::string& dir, int fd) {
  auto store = MessageStore::open({.dir = dir, .max_queue = 1000});
  if (!store || !(*store)->ensure_room_sync("lobby", 10)) _exit(2);
  for (std::uint64_t i = 0;; ++i) {
    auto ec =
        (*store)->append("lobby", "child", "message " + std::to_string(i), [fd](Result<Message> m) {
          if (!m) _exit(3);
          const std::uint64_t id = m->id;
          if (write(fd, &id, sizeof id) != sizeof id) _exit(4);
        });
    if (ec == Errc::Overloaded)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    else if (ec)
      _exit(5);
  }
}

// Reads ids from `fd` until `count` arrived (or EOF, or 10 s without data).
void read_ids(int fd, std::vector<std::uint64_t>& ids, std::size_t count) {
  while (ids.size() < count) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10'000) <= 0) return;
    std::uint64_t id;
    const ssize_t n = read(fd, &id, sizeof id);  // writes of 8 bytes are atomic (PIPE_BUF)
    if (n != sizeof id) return;
    ids.push_back(id);
  }
}

TEST(Durability, EveryAcknowledgedAppendSurvivesKill9) {
  TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0) << std::strerror(errno);
  if (child == 0) {
    close(fds[0]);
    append_until_killed(dir.path(), fds[1]);
  }
  close(fds[1]);

  std::vector<std::uint64_t> acked;
  read_ids(fds[0], acked, 2000);  // mid-way: the child is appending as fast as it can
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  read_ids(fds[0], acked, SIZE_MAX);  // acks written just before the kill
  close(fds[0]);
  ASSERT_GE(acked.size(), 2000u);

  auto store = open_store({.dir = dir.path()});
  std::vector<std::uint64_t> stored;
  for (std::uint64_t last = 0;;) {
    auto page = store->after_sync("lobby", last, MessageStore::max_read_limit);
    ASSERT_TRUE(page) << page.error().message;
    if (page->empty()) break;
    for (const auto& m : *page) stored.push_back(m.id);
    last = stored.back();
  }
  // Stored ids are 1..N without gaps; every acknowledged id is among them.
  for (std::size_t i = 0; i < stored.size(); ++i) ASSERT_EQ(stored[i], i + 1);
  EXPECT_LE(*std::max_element(acked.begin(), acked.end()), stored.size());
  std::cout << "[          ] " << acked.size() << " acknowledged, " << stored.size() << " stored\n";
}

}  // namespace
}  // namespace switchboard::store
