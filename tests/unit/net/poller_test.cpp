#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "loopback_pair.hpp"
#include "net/asio_stream.hpp"
#include "net/poller.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Pair = test::LoopbackPair;
using boost::system::error_code;

// Reads until the kernel says would_block: the readable bit is then clear.
void drain(detail::TcpStream& stream) {
  char buffer[256];
  error_code ec;
  while (!ec) stream.read_available(buffer, ec);
  ASSERT_EQ(ec, asio::error::would_block);
}

TEST(Poller, AWaitAfterEagainParksUntilTheNextBytesArrive) {
  Pair pair;
  auto& context = pair.runtime.shard(0).context();
  drain(*pair.server);
  bool woken = false;
  error_code got = asio::error::timed_out;
  pair.server->async_wait_readable([&](error_code ec) {
    woken = true;
    got = ec;
  });
  context.poll();  // everything ready to run, without blocking: the wait is not
  EXPECT_FALSE(woken);
  EXPECT_EQ(detail::Poller::of(pair.runtime.shard(0)).size(), 1u);

  asio::write(pair.client, asio::buffer("hello", 5));
  pair.run_until(woken);
  ASSERT_TRUE(woken);
  EXPECT_FALSE(got);
  char buffer[16];
  error_code ec;
  EXPECT_EQ(pair.server->read_available(buffer, ec), 5u);
  EXPECT_FALSE(ec);
}

TEST(Poller, AWaitWithTheBitSetRunsOnTheNextTurnNotInsideTheCall) {
  Pair pair;
  auto& context = pair.runtime.shard(0).context();
  asio::write(pair.client, asio::buffer("abc", 3));
  bool woken = false;
  pair.server->async_wait_readable([&](error_code) { woken = true; });
  pair.run_until(woken);
  ASSERT_TRUE(woken);
  // A full one-byte read leaves the bit set: bytes may remain.
  char one[1];
  error_code ec;
  ASSERT_EQ(pair.server->read_available(one, ec), 1u);
  woken = false;
  pair.server->async_wait_readable([&](error_code e) {
    woken = true;
    EXPECT_FALSE(e);
  });
  EXPECT_FALSE(woken);  // never inside the caller
  context.poll();       // no blocking: it is due at once
  EXPECT_TRUE(woken);
  char rest[16];
  EXPECT_EQ(pair.server->read_available(rest, ec), 2u);
}

TEST(Poller, ClosingOrDestroyingTheStreamAbortsItsParkedWait) {
  for (bool destroy : {false, true}) {
    Pair pair;
    auto& context = pair.runtime.shard(0).context();
    drain(*pair.server);
    bool woken = false;
    error_code got;
    pair.server->async_wait_readable([&](error_code ec) {
      woken = true;
      got = ec;
    });
    context.poll();
    ASSERT_FALSE(woken);
    if (destroy) {
      pair.server.reset();
    } else {
      pair.server->close();
      EXPECT_FALSE(pair.server->is_open());
    }
    EXPECT_FALSE(woken);  // not inside close()
    context.poll();
    EXPECT_TRUE(woken);
    EXPECT_EQ(got, asio::error::operation_aborted);
    EXPECT_EQ(detail::Poller::of(pair.runtime.shard(0)).size(), 0u);
  }
}

TEST(Poller, AsyncWriteFinishesWhenTheKernelTakesTheRest) {
  Pair pair;
  std::string big(8 << 20, 'x');  // more than the socket buffers hold
  std::string_view view = big;
  bool written = false, read = false;
  std::size_t sent = 0;
  pair.server->async_write(std::span(&view, 1), [&](error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    sent = n;
    written = true;
  });
  EXPECT_FALSE(written);
  std::string got(big.size(), '\0');
  asio::async_read(pair.client, asio::buffer(got), [&](error_code ec, std::size_t) {
    EXPECT_FALSE(ec);
    read = true;
  });
  bool both = false;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!both && std::chrono::steady_clock::now() < deadline) {
    pair.runtime.shard(0).context().run_one_for(50ms);
    both = written && read;
  }
  EXPECT_TRUE(written);
  EXPECT_EQ(sent, big.size());
  EXPECT_TRUE(got == big);
}

TEST(Poller, AMigratedStreamLeavesTheOldShardsSetAndWaitsOnTheNewOne) {
  Runtime rt({.shards = 2, .handle_signals = false});
  auto& from = rt.shard(0);
  auto& to = rt.shard(1);
  detail::Acceptor acceptor(from.context(), {asio::ip::make_address("127.0.0.1"), 0});
  detail::Socket client(from.context());
  client.connect(acceptor.local_endpoint());
  auto server = std::make_unique<detail::TcpStream>(from, acceptor.accept());

  // Registered on shard 0 by a first wait.
  asio::write(client, asio::buffer("1", 1));
  bool woken = false;
  server->async_wait_readable([&](error_code) { woken = true; });
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!woken && std::chrono::steady_clock::now() < deadline) from.context().run_one_for(50ms);
  ASSERT_TRUE(woken);
  drain(*server);
  ASSERT_EQ(detail::Poller::of(from).size(), 1u);

  auto moved = server->migrate(to);
  ASSERT_TRUE(moved);
  EXPECT_FALSE(server->is_open());
  EXPECT_EQ(detail::Poller::of(from).size(), 0u);
  EXPECT_EQ(&moved->shard(), &to);

  drain(static_cast<detail::TcpStream&>(*moved));  // nothing yet: its wait must park
  woken = false;
  error_code got = asio::error::timed_out;
  moved->async_wait_readable([&](error_code ec) {
    woken = true;
    got = ec;
  });
  EXPECT_EQ(detail::Poller::of(to).size(), 1u);
  asio::write(client, asio::buffer("22", 2));
  deadline = std::chrono::steady_clock::now() + 5s;
  while (!woken && std::chrono::steady_clock::now() < deadline) {
    from.context().poll();  // shard 0 hears nothing of it any more
    to.context().run_one_for(20ms);
  }
  ASSERT_TRUE(woken);
  EXPECT_FALSE(got);
  char buffer[8];
  error_code ec;
  EXPECT_EQ(moved->read_available(buffer, ec), 2u);
  EXPECT_EQ(std::string(buffer, 2), "22");
}

// A waiter that holds itself while a wait is parked (as a connection does), and counts what
// it is told; `live` counts the waiters not yet destroyed.
class HeldWaiter final : public Stream::Waiter, public std::enable_shared_from_this<HeldWaiter> {
 public:
  explicit HeldWaiter(int& live) : live_(live) { ++live_; }
  ~HeldWaiter() { --live_; }
  void wait_on(Stream& stream) {
    held_ = shared_from_this();
    stream.notify_readable(*this);
  }
  void on_ready(error_code ec) override {
    ++ready;
    got = ec;
    auto hold = std::move(held_);
  }
  void on_wait_dropped() noexcept override {
    ++dropped;
    auto hold = std::move(held_);
  }
  int ready = 0;
  int dropped = 0;
  error_code got = asio::error::timed_out;
  std::unique_ptr<detail::TcpStream> stream;  // owned as a connection owns its stream

 private:
  int& live_;
  std::shared_ptr<HeldWaiter> held_;
};

TEST(Poller, AParkedWaiterIsToldOnceTheBytesArriveWithNothingHoldingItButItself) {
  Pair pair;
  auto& context = pair.runtime.shard(0).context();
  drain(*pair.server);
  int live = 0;
  std::weak_ptr<HeldWaiter> weak;
  {
    auto waiter = std::make_shared<HeldWaiter>(live);
    waiter->wait_on(*pair.server);
    weak = waiter;
  }
  context.poll();
  ASSERT_EQ(live, 1);  // parked, held by itself
  EXPECT_EQ(weak.lock()->ready, 0);
  asio::write(pair.client, asio::buffer("hello", 5));
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (live > 0 && std::chrono::steady_clock::now() < deadline) context.run_one_for(50ms);
  EXPECT_EQ(live, 0);  // told, and let go of itself
}

TEST(Poller, AWaiterWithTheBitSetIsToldOnTheNextTurnNotInsideTheCall) {
  Pair pair;
  asio::write(pair.client, asio::buffer("abc", 3));
  int live = 0;
  auto waiter = std::make_shared<HeldWaiter>(live);
  waiter->wait_on(*pair.server);
  EXPECT_EQ(waiter->ready, 0);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (waiter->ready == 0 && std::chrono::steady_clock::now() < deadline) {
    pair.runtime.shard(0).context().run_one_for(50ms);
  }
  EXPECT_EQ(waiter->ready, 1);
  EXPECT_FALSE(waiter->got);
  EXPECT_EQ(waiter->dropped, 0);
}

// Closed, destroyed or moved away with a waiter parked: it is told operation_aborted on a later
// turn (never inside the call), once, and nothing else keeps it.
TEST(Poller, ClosingDestroyingOrMigratingTheStreamAbortsItsParkedWaiter) {
  for (int how : {0, 1, 2}) {
    Runtime rt({.shards = 2, .handle_signals = false});
    auto& context = rt.shard(0).context();
    detail::Acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
    detail::Socket client(context);
    client.connect(acceptor.local_endpoint());
    auto server = std::make_unique<detail::TcpStream>(rt.shard(0), acceptor.accept());
    drain(*server);
    int live = 0;
    std::weak_ptr<HeldWaiter> weak;
    {
      auto waiter = std::make_shared<HeldWaiter>(live);
      waiter->wait_on(*server);
      weak = waiter;
    }
    context.poll();
    ASSERT_EQ(live, 1);
    std::unique_ptr<Stream> moved;
    if (how == 0) server->close();
    if (how == 1) server.reset();
    if (how == 2) moved = server->migrate(rt.shard(1));
    ASSERT_EQ(live, 1);  // not inside the call
    EXPECT_EQ(weak.lock()->ready, 0);
    auto waiter = weak.lock();
    context.poll();
    EXPECT_EQ(waiter->ready, 1) << how;
    EXPECT_EQ(waiter->got, asio::error::operation_aborted) << how;
    EXPECT_EQ(waiter->dropped, 0) << how;
    waiter.reset();
    EXPECT_EQ(live, 0) << how;
    EXPECT_EQ(detail::Poller::of(rt.shard(0)).size(), 0u);
  }
}

// The shard's context destroyed with a waiter parked, and another aborted but not yet told:
// each is told it was dropped, once, and lets go of itself and of the stream it owns (as a
// connection does; LeakSanitizer would see a leak otherwise).
TEST(Poller, ARuntimeDestroyedWithWaitersParkedOrAbortedDropsThemAll) {
  int live = 0;
  std::weak_ptr<HeldWaiter> parked, aborted;
  {
    Runtime rt({.shards = 1, .handle_signals = false});
    auto& context = rt.shard(0).context();
    detail::Acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
    detail::Socket client1(context), client2(context);
    client1.connect(acceptor.local_endpoint());
    client2.connect(acceptor.local_endpoint());
    for (auto* weak : {&parked, &aborted}) {
      auto waiter = std::make_shared<HeldWaiter>(live);
      waiter->stream = std::make_unique<detail::TcpStream>(rt.shard(0), acceptor.accept());
      drain(*waiter->stream);
      waiter->wait_on(*waiter->stream);
      *weak = waiter;
    }
    context.poll();
    ASSERT_EQ(live, 2);
    aborted.lock()->stream->close();  // told on a later turn, which never comes
    ASSERT_EQ(live, 2);
  }
  EXPECT_EQ(live, 0);
}

// A stream without a poller behind it (here a closed one) wraps the waiter in a callback: told
// once when it runs, told it was dropped when the context destroys it unrun.
TEST(Poller, AWaiterWrappedInACallbackIsToldWhetherItRunsOrIsDropped) {
  for (bool run : {true, false}) {
    int live = 0;
    std::weak_ptr<HeldWaiter> weak;
    {
      Pair pair;
      pair.server->close();
      auto waiter = std::make_shared<HeldWaiter>(live);
      waiter->wait_on(*pair.server);
      weak = waiter;
      if (run) {
        pair.runtime.shard(0).context().poll();
        EXPECT_EQ(waiter->ready, 1);
        EXPECT_EQ(waiter->got, asio::error::bad_descriptor);
        EXPECT_EQ(waiter->dropped, 0);
      } else {
        EXPECT_EQ(waiter->ready, 0);
      }
      waiter.reset();
      EXPECT_EQ(live, run ? 0 : 1);
    }
    EXPECT_EQ(live, 0);
  }
}

}  // namespace
}  // namespace switchboard::net
