#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>

#include "loopback_pair.hpp"
#include "net/asio_stream.hpp"
#include "switchboard/net/listener.hpp"
#include "switchboard/net/random.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::net {
namespace {

namespace asio = boost::asio;

TEST(RandomBytes, FillsAcrossRefillsAndNeverRepeats) {
  std::vector<unsigned char> a(10000), b(10000);  // more than one 4 KiB pool each
  random_bytes(a);
  random_bytes(b);
  EXPECT_NE(a, b);
  // 10,000 random bytes hold every value: a buffer left partly unfilled (zeros) would not.
  std::vector<int> seen(256);
  for (auto c : a) ++seen[c];
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int n) { return n > 0; }));
  EXPECT_LT(seen[0], 200);
}

using Pair = test::LoopbackPair;

TEST(TcpStream, NamesItsPeerAsTextOnIpv4Ipv6AndIpv4MappedSockets) {
  EXPECT_EQ(Pair("127.0.0.1").server->remote_address(), "127.0.0.1");
  EXPECT_EQ(Pair("::1").server->remote_address(), "::1");
  // An IPv6 socket that accepted an IPv4 peer (::ffff:127.0.0.1) names it as IPv4.
  EXPECT_EQ(Pair("::ffff:127.0.0.1", "127.0.0.1").server->remote_address(), "127.0.0.1");
  // Every byte width, zero included, in the dotted form written by hand.
  for (const char* from : {"127.10.200.5", "127.255.0.99", "127.1.100.250"}) {
    EXPECT_EQ(Pair("127.0.0.1", nullptr, from).server->remote_address(), from);
  }
  Pair pair;
  EXPECT_EQ(pair.server->remote_port(), pair.client.local_endpoint().port());
}

TEST(TcpStream, TryWriteSendsMoreBuffersThanOneSystemCallTakes) {
  Pair pair;
  // A broadcast backlog: thousands of small frames (IOV_MAX is 1024 on Linux).
  std::vector<std::string> frames;
  for (int i = 0; i < 3000; ++i) frames.push_back("frame " + std::to_string(i) + ";");
  std::vector<std::string_view> views(frames.begin(), frames.end());
  std::string expected;
  for (auto& f : frames) expected += f;

  boost::system::error_code ec;
  auto n = pair.server->try_write(views, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(n, expected.size());  // all of it, in one call: it fits the socket buffer

  std::string got(expected.size(), '\0');
  asio::read(pair.client, asio::buffer(got));
  EXPECT_EQ(got, expected);
}

TEST(TcpStream, TryWriteStopsWhenTheKernelTakesNoMore) {
  Pair pair;
  std::string big(1 << 20, 'x');
  std::vector<std::string_view> views(64, big);  // 64 MiB: more than any socket buffer
  boost::system::error_code ec;
  auto n = pair.server->try_write(views, ec);
  EXPECT_FALSE(ec);
  EXPECT_GT(n, 0u);
  EXPECT_LT(n, views.size() * big.size());
  // Once full, a call says would_block instead of blocking. (Loopback moves queued bytes to the
  // receiver's buffer in the background, so a call or two may still find room: write until
  // both buffers are full, which the unread receiver bounds.)
  std::string_view rest = big;
  std::size_t written = 0;
  for (int calls = 0; calls < 1000 && !ec; ++calls) {
    written = pair.server->try_write(std::span(&rest, 1), ec);
  }
  EXPECT_EQ(written, 0u);
  EXPECT_EQ(ec, asio::error::would_block);
}

}  // namespace
}  // namespace switchboard::net

namespace switchboard::net {
namespace {

using namespace std::chrono_literals;

// Runs the shard's loop until `done` or a bound, on this thread (the shard's thread).
void run_until(Runtime& rt, const bool& done) {
  auto& context = rt.shard(0).context();
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    context.run_one_for(50ms);
  }
}

TEST(Listener, HandsOverStreamsThatNameTheirPeerAsAcceptReportedIt) {
  Runtime rt({.shards = 1, .handle_signals = false});
  std::unique_ptr<Stream> accepted;
  auto listener = Listener::start(rt, {.address = "127.0.0.1"}, [&](std::unique_ptr<Stream> s) {
    accepted = std::move(s);
    rt.shutdown();
  });
  // The kernel completes the connection before anyone accepts it.
  detail::Socket client(rt.shard(0).context());
  client.connect({asio::ip::make_address("127.0.0.1"), listener->port()});
  rt.run();
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->remote_address(), "127.0.0.1");
  EXPECT_EQ(accepted->remote_port(), client.local_endpoint().port());
}

TEST(Listener, IsReleasedWhileItsShardsExistWhenTheRuntimeEndsWithoutAShutdown) {
  // A runtime driven by hand: the listener starts (its stop hook holds it), and the runtime
  // is destroyed without shutdown(). The hook, and the acceptors and timers it holds, must go
  // before the contexts do (ASan/UBSan: a timer destroyed after its io_context).
  std::weak_ptr<Listener> weak;
  {
    Runtime rt({.shards = 1, .handle_signals = false});
    auto listener = Listener::start(rt, {.address = "127.0.0.1"}, [](std::unique_ptr<Stream>) {});
    weak = listener;
    rt.shard(0).context().poll();
    listener.reset();
    EXPECT_FALSE(weak.expired()) << "the started listener is held by its shard";
  }
  EXPECT_TRUE(weak.expired());
}

TEST(Shard, KeepsOneLocalOfEachTypePerShard) {
  struct Counter {
    int n = 0;
  };
  Runtime rt({.shards = 2, .handle_signals = false});
  rt.shard(0).local<Counter>().n += 1;
  rt.shard(0).local<Counter>().n += 1;
  rt.shard(1).local<Counter>().n += 5;
  EXPECT_EQ(rt.shard(0).local<Counter>().n, 2);
  EXPECT_EQ(rt.shard(1).local<Counter>().n, 5);
  EXPECT_EQ(rt.shard(0).local<std::string>(), "");  // another type, another slot
}

TEST(Timer, FiresInDeadlineOrderWhateverTheOrderOfArming) {
  Runtime rt({.shards = 1, .handle_signals = false});
  auto& shard = rt.shard(0);
  std::vector<int> fired;
  bool done = false;
  Timer a(shard), b(shard), c(shard), d(shard);
  c.arm(30ms, [&] { fired.push_back(3); });
  a.arm(10ms, [&] { fired.push_back(1); });
  d.arm(40ms, [&] {
    fired.push_back(4);
    done = true;
  });
  b.arm(20ms, [&] { fired.push_back(2); });
  run_until(rt, done);
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3, 4}));
}

TEST(Timer, CancelledRearmedAndDestroyedTimersDoNotFire) {
  Runtime rt({.shards = 1, .handle_signals = false});
  auto& shard = rt.shard(0);
  std::vector<std::string> fired;
  bool done = false;
  Timer cancelled(shard), rearmed(shard), last(shard);
  auto destroyed = std::make_unique<Timer>(shard);
  cancelled.arm(5ms, [&] { fired.push_back("cancelled"); });
  destroyed->arm(5ms, [&] { fired.push_back("destroyed"); });
  rearmed.arm(5ms, [&] { fired.push_back("first arming"); });
  rearmed.arm(20ms, [&] { fired.push_back("rearmed"); });  // replaces the first
  last.arm(30ms, [&] {
    fired.push_back("last");
    done = true;
  });
  cancelled.cancel();
  destroyed.reset();
  EXPECT_FALSE(cancelled.armed());
  EXPECT_TRUE(rearmed.armed());
  run_until(rt, done);
  EXPECT_EQ(fired, (std::vector<std::string>{"rearmed", "last"}));
  EXPECT_FALSE(last.armed());
}

TEST(Timer, ACallbackMayRearmItsTimerOrDestroyAnother) {
  Runtime rt({.shards = 1, .handle_signals = false});
  auto& shard = rt.shard(0);
  int ticks = 0;
  bool done = false;
  Timer ticker(shard);
  auto victim = std::make_unique<Timer>(shard);
  bool victim_fired = false;
  std::function<void()> tick = [&] {
    if (++ticks == 1) victim.reset();  // due at the same time: must not run now
    if (ticks < 3) {
      ticker.arm(1ms, tick);
    } else {
      done = true;
    }
  };
  ticker.arm(5ms, tick);
  victim->arm(5ms, [&] { victim_fired = true; });
  run_until(rt, done);
  EXPECT_EQ(ticks, 3);
  EXPECT_FALSE(victim_fired);
}

}  // namespace
}  // namespace switchboard::net
