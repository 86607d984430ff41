#pragma once
// A loopback TCP connection on a one-shard runtime: the server side as a TcpStream, the client
// side a plain socket. The net unit tests' fixture.

#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "net/asio_stream.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::net::test {

struct LoopbackPair {
  Runtime runtime{{.shards = 1, .handle_signals = false}};
  detail::Socket client{runtime.shard(0).context()};
  std::unique_ptr<detail::TcpStream> server;

  /// The server listens on `listen_on`; the client connects to `connect_to` (default: the
  /// same address), from `client_address` when given (any 127.x.y.z is this machine's).
  explicit LoopbackPair(const char* listen_on = "127.0.0.1", const char* connect_to = nullptr,
                        const char* client_address = nullptr) {
    detail::Acceptor acceptor(runtime.shard(0).context(),
                              {boost::asio::ip::make_address(listen_on), 0});
    if (client_address) {
      auto from = boost::asio::ip::make_address(client_address);
      client.open(from.is_v4() ? boost::asio::ip::tcp::v4() : boost::asio::ip::tcp::v6());
      client.bind({from, 0});
    }
    client.connect({boost::asio::ip::make_address(connect_to ? connect_to : listen_on),
                    acceptor.local_endpoint().port()});
    server = std::make_unique<detail::TcpStream>(runtime.shard(0), acceptor.accept());
  }
  /// Runs the shard's loop on this thread until `done`, or for 5 s at most.
  void run_until(const bool& done) {
    using namespace std::chrono_literals;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      runtime.shard(0).context().run_one_for(50ms);
    }
  }
};

}  // namespace switchboard::net::test
