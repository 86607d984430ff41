// The write queue's cork over a real loopback connection: messages appended to the scratch
// while corked leave at uncork() in one write, in order with everything else queued, and what
// the kernel does not take is queued and still arrives.
#include "switchboard/net/write_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <boost/asio/read.hpp>

#include "loopback_pair.hpp"

namespace switchboard::net {
namespace {

namespace asio = boost::asio;
using Pair = test::LoopbackPair;

// Appends `bytes` to the scratch and queues them, as a WebSocket connection frames a message.
SendResult push_scratch(WriteQueue& queue, std::string_view bytes, bool is_volatile = false) {
  auto& scratch = WriteQueue::scratch();
  const auto from = scratch.size();
  scratch.append(bytes);
  return queue.push_scratch(from, is_volatile);
}

std::string read_exactly(Pair& pair, std::size_t n) {
  std::string got(n, '\0');
  asio::read(pair.client, asio::buffer(got));
  return got;
}

TEST(WriteQueue, CorkedMessagesLeaveTogetherAtUncorkAndInOrderWithOtherPushes) {
  Pair pair;
  WriteQueue queue(*pair.server, {}, nullptr, nullptr);
  queue.cork();
  EXPECT_TRUE(queue.corked());
  EXPECT_EQ(push_scratch(queue, "one;"), SendResult::Sent);
  EXPECT_EQ(push_scratch(queue, "two;"), SendResult::Sent);
  EXPECT_EQ(queue.queued_bytes(), 8u);
  EXPECT_EQ(pair.client.available(), 0u);  // nothing written yet
  queue.push(std::string("three;"));       // after the scratch's bytes, not before
  EXPECT_EQ(push_scratch(queue, "four;"), SendResult::Sent);
  queue.uncork();
  EXPECT_FALSE(queue.corked());
  EXPECT_EQ(read_exactly(pair, 19), "one;two;three;four;");
  EXPECT_TRUE(queue.idle());
  EXPECT_TRUE(WriteQueue::scratch().empty());
}

TEST(WriteQueue, OneQueueHoldsTheThreadsCorkAtATime) {
  Pair pair;
  WriteQueue first(*pair.server, {}, nullptr, nullptr);
  WriteQueue second(*pair.server, {}, nullptr, nullptr);
  first.cork();
  second.cork();
  EXPECT_TRUE(first.corked());
  EXPECT_FALSE(second.corked());
  EXPECT_EQ(push_scratch(first, "a"), SendResult::Sent);
  // The other queue's message is copied out of the scratch; the corked bytes stay.
  EXPECT_EQ(push_scratch(second, "b"), SendResult::Sent);
  EXPECT_EQ(WriteQueue::scratch(), "a");
  second.uncork();  // not its cork: nothing happens
  EXPECT_TRUE(first.corked());
  first.uncork();
  EXPECT_EQ(read_exactly(pair, 1), "a");
}

TEST(WriteQueue, WhatTheKernelDoesNotTakeAtUncorkIsQueuedAndArrives) {
  Pair pair;
  // Fill the socket buffers first, so that uncork()'s write takes nothing.
  std::string filler(1 << 20, 'f');
  std::size_t filled = 0;
  boost::system::error_code ec;
  for (int i = 0; i < 1000 && !ec; ++i) {
    std::string_view view = filler;
    filled += pair.server->try_write(std::span(&view, 1), ec);
  }
  ASSERT_EQ(ec, asio::error::would_block);

  WriteQueue queue(*pair.server, {}, nullptr, nullptr);
  bool drained = false;
  queue.cork();
  EXPECT_EQ(push_scratch(queue, "the message"), SendResult::Sent);
  queue.uncork();
  EXPECT_FALSE(queue.idle());
  queue.when_drained([&] { drained = true; });

  // Read everything while the loop runs the queue's asynchronous write.
  std::string tail;
  std::size_t total = 0;
  char buffer[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  pair.client.non_blocking(true);
  while (total < filled + 11 && std::chrono::steady_clock::now() < deadline) {
    auto n = pair.client.read_some(asio::buffer(buffer), ec);
    if (!ec) {
      total += n;
      tail.append(buffer, n);
      if (tail.size() > 11) tail.erase(0, tail.size() - 11);
    }
    pair.runtime.shard(0).context().poll();
  }
  EXPECT_EQ(total, filled + 11);
  EXPECT_EQ(tail, "the message");
  pair.run_until(drained);
  EXPECT_TRUE(drained);
  EXPECT_TRUE(queue.idle());
}

TEST(WriteQueue, AnOverflowWhileCorkedDropsTheCorkedBytes) {
  Pair pair;
  bool overflowed = false;
  WriteQueue queue(*pair.server, {.soft_limit = 8, .hard_limit = 16}, nullptr,
                   [&] { overflowed = true; });
  queue.cork();
  EXPECT_EQ(push_scratch(queue, "0123456789"), SendResult::Buffered);
  EXPECT_EQ(push_scratch(queue, "0123456789"), SendResult::Dropped);
  EXPECT_TRUE(overflowed);
  EXPECT_EQ(queue.queued_bytes(), 0u);
  EXPECT_TRUE(WriteQueue::scratch().empty());
  queue.push_last("bye");  // past every limit, as a WebSocket's Close
  queue.uncork();
  EXPECT_EQ(read_exactly(pair, 3), "bye");
}

// Fills the socket's buffers so that the next write waits for the kernel; returns the bytes.
std::size_t fill(Pair& pair) {
  std::string filler(1 << 20, 'f');
  std::size_t filled = 0;
  boost::system::error_code ec;
  for (int i = 0; i < 1000 && !ec; ++i) {
    std::string_view view = filler;
    filled += pair.server->try_write(std::span(&view, 1), ec);
  }
  EXPECT_EQ(ec, asio::error::would_block);
  return filled;
}

// Reads `n` bytes while the loop runs the queue's asynchronous write; returns the last 16.
std::string drain(Pair& pair, std::size_t n) {
  std::string tail;
  std::size_t total = 0;
  char buffer[65536];
  boost::system::error_code ec;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  pair.client.non_blocking(true);
  while (total < n && std::chrono::steady_clock::now() < deadline) {
    auto got = pair.client.read_some(asio::buffer(buffer), ec);
    if (!ec) {
      total += got;
      tail.append(buffer, got);
      if (tail.size() > 16) tail.erase(0, tail.size() - 16);
    }
    pair.runtime.shard(0).context().poll();
  }
  EXPECT_EQ(total, n);
  return tail;
}

// The state of an asynchronous write (the buffers in flight, their views, the liveness flag)
// exists only while the kernel has not taken a write: an idle queue, or one whose writes
// leave at once, holds none.
TEST(WriteQueue, HoldsItsWriteStateOnlyWhileAWriteWaitsForTheKernel) {
  Pair pair;
  WriteQueue queue(*pair.server, {}, nullptr, nullptr);
  queue.cork();
  EXPECT_EQ(push_scratch(queue, "at once"), SendResult::Sent);
  queue.uncork();
  EXPECT_FALSE(queue.writing());
  EXPECT_EQ(read_exactly(pair, 7), "at once");

  const auto filled = fill(pair);
  bool drained = false;
  queue.cork();
  EXPECT_EQ(push_scratch(queue, "slow reader"), SendResult::Sent);
  queue.uncork();
  EXPECT_TRUE(queue.writing());  // the kernel took nothing: a write waits
  queue.when_drained([&] { drained = true; });
  EXPECT_EQ(drain(pair, filled + 11).substr(5), "slow reader");
  pair.run_until(drained);
  EXPECT_TRUE(drained);
  EXPECT_FALSE(queue.writing());
  EXPECT_TRUE(queue.idle());
}

// A queue destroyed while its write waits: the write still has its bytes (held by its
// completion, not by the queue) and they arrive whole.
TEST(WriteQueue, AWriteWaitingWhenItsQueueIsDestroyedKeepsItsBytes) {
  Pair pair;
  const auto filled = fill(pair);
  auto queue = std::make_unique<WriteQueue>(*pair.server, WriteQueueOptions{}, nullptr, nullptr);
  queue->cork();
  EXPECT_EQ(push_scratch(*queue, std::string(1000, 'q') + "the last bytes"), SendResult::Sent);
  queue->uncork();  // the kernel takes nothing: the write waits
  ASSERT_TRUE(queue->writing());
  queue.reset();
  EXPECT_EQ(drain(pair, filled + 1014), "qqthe last bytes");
}

}  // namespace
}  // namespace switchboard::net
