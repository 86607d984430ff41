// The C++ client against a real server: switchboard's protocol_testee (1 or 2 shards) or the
// Node.js reference server (npm socket.io), chosen by SB_CLIENT_SERVER ("switchboard" or
// "node"). Every wait is for an event, with a deadline.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server_process.hpp"
#include "switchboard/client/client.hpp"
#include "switchboard/client/simple_client.hpp"
#include "switchboard/client/web_socket.hpp"

using namespace switchboard;
using namespace std::chrono_literals;
using client::Args;
using client::Transport;

namespace {

std::string env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

bool reference() {
  return env("SB_CLIENT_SERVER", "switchboard") == "node";
}

std::unique_ptr<test::ServerProcess> start_server(int port = 0, bool recovery = false,
                                                  int max_payload = 1'000'000) {
  std::vector<std::string> argv;
  if (reference()) {
    argv = {env("SB_NODE", "node"), env("SB_REFERENCE_SERVER")};
    if (recovery) argv.insert(argv.end(), {"--recovery", "1"});
  } else {
    argv = {env("SB_PROTOCOL_TESTEE"), "--shards", env("SB_SHARDS", "1"), "--extras", "1"};
    if (recovery) argv.insert(argv.end(), {"--recovery", "1"});
  }
  argv.insert(argv.end(), {"--max-payload", std::to_string(max_payload)});
  return std::make_unique<test::ServerProcess>(argv, port);
}

std::string json(const boost::json::value& v) {
  return boost::json::serialize(v);
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override { server = start_server(); }
  // Lets the clients destroyed by the test finish their goodbyes (close frames, the close
  // packet's POST) before the server stops; returns as soon as the loop has no work left.
  void TearDown() override {
    io.restart();
    io.run_for(3s);
  }

  // Runs the loop until `done()` holds; false after `timeout`.
  template <class Predicate>
  bool run_until(Predicate done, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      if (io.stopped()) io.restart();
      io.run_one_for(20ms);
    }
    return true;
  }

  // Records every event of `socket`.
  void record(const std::shared_ptr<client::Socket>& socket) {
    socket->on_any([this, nsp = socket->nsp()](client::Event& e) {
      events.push_back({nsp, e.name, e.args});
    });
  }

  // The first recorded event named `name` on `nsp`, waiting for it.
  const Args* wait_event(const std::string& name, const std::string& nsp = "/") {
    const Args* found = nullptr;
    run_until([&] {
      for (auto& e : events)
        if (e.name == name && e.nsp == nsp) return found = &e.args, true;
      return false;
    });
    return found;
  }

  // A manager for `url` and its "/" socket, authenticated as check_round_trips expects,
  // recorded and connected (a failure when it does not connect within the deadline).
  struct Session {
    std::unique_ptr<client::Client> manager;
    std::shared_ptr<client::Socket> socket;
  };
  Session connect_recorded(const std::string& url, client::ClientOptions options) {
    Session s;
    s.manager = std::make_unique<client::Client>(io, url, std::move(options));
    s.socket = s.manager->socket("/", {.auth = {{"token", "abc"}}});
    record(s.socket);
    s.socket->connect();
    EXPECT_TRUE(run_until([&] { return s.socket->connected(); }));
    return s;
  }

  // emit, emit_with_ack (callback and future), binary, and the auth echo on `socket`.
  void check_round_trips(client::Socket& socket) {
    const Args* auth = wait_event("auth", socket.nsp());
    ASSERT_TRUE(auth);
    EXPECT_EQ(json((*auth)[0]), R"({"token":"abc"})");

    socket.emit("message", 1, "two", client::Binary{std::string("\0\x01\xff", 3)});
    const Args* back = wait_event("message-back", socket.nsp());
    ASSERT_TRUE(back);
    ASSERT_EQ(back->size(), 3u);
    EXPECT_EQ(json((*back)[0]), "1");
    EXPECT_EQ(json((*back)[1]), R"("two")");
    auto bytes = back->binary((*back)[2]);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, std::string("\0\x01\xff", 3));

    std::optional<client::AckResult> reply;
    socket.emit_with_ack(
        "message-with-ack", Args::of("x", 42), [&](client::AckResult r) { reply = std::move(r); },
        5s);
    ASSERT_TRUE(run_until([&] { return reply.has_value(); }));
    ASSERT_TRUE(*reply);
    EXPECT_EQ(json((*reply)->values), R"(["x",42])");

    auto future = socket.emit_with_ack("message-with-ack", Args::of(client::Binary{"bin"}), 5s);
    ASSERT_TRUE(run_until([&] { return future.wait_for(0s) == std::future_status::ready; }));
    auto result = future.get();
    ASSERT_TRUE(result);
    ASSERT_EQ(result->size(), 1u);
    ASSERT_TRUE(result->binary((*result)[0]));
    EXPECT_EQ(*result->binary((*result)[0]), "bin");
  }

  struct Recorded {
    std::string nsp;
    std::string name;
    Args args;
  };

  boost::asio::io_context io;
  std::unique_ptr<test::ServerProcess> server;
  std::vector<Recorded> events;
};

TEST_F(ClientTest, WebsocketOnlyRoundTrips) {
  auto [manager, socket] = connect_recorded(
      server->url(), {.transports = {Transport::WebSocket}, .reconnection = false});
  ASSERT_TRUE(socket->connected());
  EXPECT_FALSE(socket->id().empty());
  EXPECT_EQ(manager->transport(), Transport::WebSocket);
  check_round_trips(*socket);
}

TEST_F(ClientTest, PollingOnlyRoundTrips) {
  auto [manager, socket] =
      connect_recorded(server->url(), {.transports = {Transport::Polling}, .reconnection = false});
  ASSERT_TRUE(socket->connected());
  check_round_trips(*socket);
  EXPECT_EQ(manager->transport(), Transport::Polling);
}

TEST_F(ClientTest, PollingUpgradesToWebsocket) {
  auto [manager, socket] = connect_recorded(server->url(), {.reconnection = false});
  ASSERT_TRUE(socket->connected());
  auto* client = manager.get();
  ASSERT_TRUE(run_until([&] { return client->transport() == Transport::WebSocket; }));
  check_round_trips(*socket);
}

TEST_F(ClientTest, LargeBinaryOverPollingIsSplitWithinMaxPayload) {
  // A small maxPayload keeps each POST quick: the testee's heartbeat is 300 ms + 200 ms, and a
  // pong waits while a POST is in flight.
  server = start_server(0, false, 100'000);
  client::Client manager(io, server->url(),
                         {.transports = {Transport::Polling}, .reconnection = false});
  auto socket = manager.socket("/");
  std::string reason;
  socket->on_disconnect([&](const std::string& r) { reason = r; });
  socket->connect();
  ASSERT_TRUE(run_until([&] { return socket->connected(); }));
  // Three 40 kB buffers (base64 on polling: about 160 kB) exceed the server's 100 kB
  // maxPayload in one POST, so they travel in several.
  std::vector<std::string> buffers;
  for (char c : {'a', 'b', 'c'}) buffers.push_back(std::string(40'000, c));
  Args args;
  for (const auto& b : buffers) args.add(client::Binary{b});
  std::optional<client::AckResult> reply;
  socket->emit_with_ack(
      "message-with-ack", std::move(args), [&](client::AckResult r) { reply = std::move(r); }, 10s);
  ASSERT_TRUE(run_until([&] { return reply.has_value(); }, 20s));
  ASSERT_TRUE(*reply) << reply->error().message() << " " << reason;
  ASSERT_EQ((*reply)->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    auto bytes = (*reply)->binary((**reply)[i]);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, buffers[i]);
  }
}

TEST_F(ClientTest, NamespacesShareOneConnection) {
  client::Client manager(io, server->url(),
                         {.transports = {Transport::WebSocket}, .reconnection = false});
  auto main = manager.socket("/", {.auth = {{"token", "abc"}}});
  auto custom = manager.socket("/custom", {.auth = {{"token", "abc"}}});
  record(main);
  record(custom);
  main->connect();
  custom->connect();
  ASSERT_TRUE(run_until([&] { return main->connected() && custom->connected(); }));
  EXPECT_NE(main->id(), custom->id());
  check_round_trips(*custom);
  for (const auto& e : events) EXPECT_FALSE(e.nsp == "/" && e.name == "message-back");
}

TEST_F(ClientTest, UnknownNamespaceIsRefused) {
  client::Client manager(io, server->url(), {.transports = {Transport::WebSocket}});
  auto socket = manager.socket("/random");
  std::optional<client::ConnectError> error;
  socket->on_connect_error([&](const client::ConnectError& e) { error = e; });
  socket->connect();
  ASSERT_TRUE(run_until([&] { return error.has_value(); }));
  EXPECT_EQ(error->message, "Invalid namespace");
  EXPECT_FALSE(error->transport);
  EXPECT_FALSE(socket->connected());
}

TEST_F(ClientTest, ServerAcksOurAnswer) {
  client::Client manager(io, server->url(), {.transports = {Transport::WebSocket}});
  auto socket = manager.socket("/");
  socket->on("question", [](client::Event& e) {
    ASSERT_TRUE(e.ack);
    e.ack("answer to " + std::string(e.args[0].as_string()));
  });
  socket->connect();
  ASSERT_TRUE(run_until([&] { return socket->connected(); }));
  std::optional<client::AckResult> reply;
  socket->emit_with_ack(
      "ask", Args::of("life"), [&](client::AckResult r) { reply = std::move(r); }, 5s);
  ASSERT_TRUE(run_until([&] { return reply.has_value(); }));
  ASSERT_TRUE(*reply);
  EXPECT_EQ(json((*reply)->values), R"(["answer to life"])");
}

TEST_F(ClientTest, ServerDisconnectEndsTheSocket) {
  client::Client manager(io, server->url(), {.transports = {Transport::WebSocket}});
  auto socket = manager.socket("/");
  std::string reason;
  socket->on_disconnect([&](const std::string& r) { reason = r; });
  socket->connect();
  ASSERT_TRUE(run_until([&] { return socket->connected(); }));
  socket->emit("disconnect-me");
  ASSERT_TRUE(run_until([&] { return !reason.empty(); }));
  EXPECT_EQ(reason, "io server disconnect");
  EXPECT_FALSE(socket->connected());
}

TEST_F(ClientTest, AckTimesOut) {
  client::Client manager(io, server->url(), {.transports = {Transport::WebSocket}});
  auto socket = manager.socket("/");
  socket->connect();
  ASSERT_TRUE(run_until([&] { return socket->connected(); }));
  std::optional<client::AckResult> reply;
  // "message" is answered with an event, never with an ack.
  socket->emit_with_ack(
      "message", Args::of(1), [&](client::AckResult r) { reply = std::move(r); }, 200ms);
  ASSERT_TRUE(run_until([&] { return reply.has_value(); }));
  EXPECT_EQ(reply->error(), client::Error::Timeout);
}

TEST_F(ClientTest, ReconnectsAfterServerRestart) {
  client::Client manager(io, server->url(),
                         {.transports = {Transport::WebSocket},
                          .reconnection_delay = 50ms,
                          .reconnection_delay_max = 200ms});
  auto socket = manager.socket("/", {.auth = {{"token", "abc"}}});
  int connects = 0;
  std::string reason;
  unsigned attempts = 0;
  socket->on_connect([&] { ++connects; });
  socket->on_disconnect([&](const std::string& r) { reason = r; });
  manager.on_reconnect([&](unsigned n) { attempts = n; });
  socket->connect();
  ASSERT_TRUE(run_until([&] { return connects == 1; }));
  int port = server->port();
  server->terminate();
  ASSERT_TRUE(run_until([&] { return server->exited(); }));
  ASSERT_TRUE(run_until([&] { return !reason.empty(); }));
  EXPECT_TRUE(reason == "transport close" || reason == "transport error") << reason;
  server = start_server(port);
  ASSERT_TRUE(run_until([&] { return connects == 2; }, 15s));
  EXPECT_GE(attempts, 1u);
  record(socket);
  socket->emit("message", "again");
  ASSERT_TRUE(wait_event("message-back"));
}

TEST_F(ClientTest, GivesUpAfterTheLastAttempt) {
  client::Client manager(io, server->url(),
                         {.transports = {Transport::WebSocket},
                          .reconnection_attempts = 2,
                          .reconnection_delay = 10ms,
                          .reconnection_delay_max = 20ms});
  auto socket = manager.socket("/");
  std::vector<unsigned> attempts;
  bool failed = false;
  int transport_errors = 0;
  manager.on_reconnect_attempt([&](unsigned n) { attempts.push_back(n); });
  manager.on_reconnect_failed([&] { failed = true; });
  socket->on_connect_error([&](const client::ConnectError& e) { transport_errors += e.transport; });
  socket->connect();
  ASSERT_TRUE(run_until([&] { return socket->connected(); }));
  server->terminate();
  ASSERT_TRUE(run_until([&] { return failed; }));
  EXPECT_EQ(attempts, (std::vector<unsigned>{1, 2}));
  EXPECT_EQ(transport_errors, 2);
  EXPECT_FALSE(socket->connected());
}

TEST_F(ClientTest, BufferedEmitsLeaveOnConnect) {
  client::Client manager(io, server->url(), {.transports = {Transport::WebSocket}});
  auto socket = manager.socket("/");
  record(socket);
  EXPECT_EQ(socket->emit("message", "early"), net::SendResult::Buffered);
  socket->connect();
  const Args* back = wait_event("message-back");
  ASSERT_TRUE(back);
  EXPECT_EQ(json((*back)[0]), R"("early")");
}

TEST_F(ClientTest, RecoversMissedEventsAfterADrop) {
  server = start_server(0, /*recovery=*/true);
  client::Client manager(io, server->url(),
                         {.transports = {Transport::WebSocket},
                          .reconnection_delay = 50ms,
                          .reconnection_delay_max = 200ms});
  auto socket = manager.socket("/", {.auth = {{"token", "abc"}}});
  record(socket);
  int connects = 0;
  socket->on_connect([&] { ++connects; });
  socket->connect();
  ASSERT_TRUE(wait_event("auth"));  // carries an offset
  std::string first_id = socket->id();
  EXPECT_FALSE(socket->recovered());
  socket->emit("drop-me");
  ASSERT_TRUE(run_until([&] { return connects == 2; }));
  EXPECT_TRUE(socket->recovered());
  EXPECT_EQ(socket->id(), first_id);
  const Args* missed = wait_event("missed");
  ASSERT_TRUE(missed);
  EXPECT_EQ(json((*missed)[0]), R"("while-away")");
}

TEST_F(ClientTest, PlainWebSocketSpeaksEngineIo) {
  client::WebSocket ws(io);
  std::vector<std::string> messages;
  bool opened = false;
  std::optional<ws::CloseCode> closed;
  ws.on_open([&](boost::system::error_code ec) { opened = !ec; });
  ws.on_message([&](std::string m, bool binary) {
    EXPECT_FALSE(binary);
    messages.push_back(std::move(m));
  });
  ws.on_close([&](boost::system::error_code, ws::CloseCode code) { closed = code; });
  ws.connect("ws://127.0.0.1:" + std::to_string(server->port()) +
             "/socket.io/?EIO=4&transport=websocket");
  ASSERT_TRUE(run_until([&] { return !messages.empty(); }));
  EXPECT_TRUE(opened);
  EXPECT_EQ(messages[0].substr(0, 8), R"(0{"sid":)");
  EXPECT_EQ(ws.send_text("40"), net::SendResult::Sent);
  ASSERT_TRUE(run_until([&] {
    for (auto& m : messages)
      if (m.starts_with("40{")) return true;
    return false;
  }));
  ws.close();
  ASSERT_TRUE(run_until([&] { return closed.has_value(); }));
  EXPECT_FALSE(ws.is_open());
}

TEST_F(ClientTest, PlainWebSocketReportsRefusedHandshake) {
  client::WebSocket ws(io);
  std::optional<boost::system::error_code> result;
  ws.on_open([&](boost::system::error_code ec) { result = ec; });
  ws.connect("ws://127.0.0.1:" + std::to_string(server->port()) + "/socket.io/?EIO=4");
  ASSERT_TRUE(run_until([&] { return result.has_value(); }));
  EXPECT_TRUE(*result);
}

TEST_F(ClientTest, SimpleClientBlocks) {
  client::SimpleClient sio;
  auto ec = sio.connect(server->url(), {.auth = {{"token", "abc"}}});
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(sio.connected());
  EXPECT_FALSE(sio.sid().empty());
  auto auth = sio.receive(5s);
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->name, "auth");
  EXPECT_EQ(json(auth->args[0]), R"({"token":"abc"})");
  EXPECT_EQ(sio.emit("message", "hi"), net::SendResult::Sent);
  auto back = sio.receive(5s);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, "message-back");
  EXPECT_EQ(json(back->args[0]), R"("hi")");
  auto reply = sio.call("message-with-ack", Args::of(1, 2), 5s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(json(reply->values), "[1,2]");
  EXPECT_FALSE(sio.receive(50ms));
  sio.disconnect();
  EXPECT_FALSE(sio.connected());
  EXPECT_EQ(sio.call("message-with-ack", {}, 1s).error(), client::Error::Closed);
}

TEST_F(ClientTest, SimpleClientReportsRefusal) {
  client::SimpleClient sio;
  auto ec = sio.connect(server->url(), {.nsp = "/random"});
  EXPECT_EQ(ec, client::Error::ConnectRefused);
  EXPECT_EQ(sio.last_error(), "Invalid namespace");
}

// TLS: protocol_testee serving HTTPS with a self-signed certificate for 127.0.0.1 (made by
// openssl, as tests/integration/tls_test.py does); the client trusts it through its CA file.
class ClientTlsTest : public ClientTest {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/sb-client-tls-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir_template));
    dir = dir_template;
    std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 -keyout " +
        dir + "/key.pem -out " + dir + "/cert.pem 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir); }
  void SetUp() override {
    if (reference()) GTEST_SKIP() << "TLS is tested against switchboard";
    server = std::make_unique<test::ServerProcess>(std::vector<std::string>{
        env("SB_PROTOCOL_TESTEE"), "--shards", env("SB_SHARDS", "1"), "--extras", "1", "--tls-cert",
        cert(), "--tls-key", dir + "/key.pem"});
  }
  static std::string cert() { return dir + "/cert.pem"; }
  std::string https() const { return "https://127.0.0.1:" + std::to_string(server->port()); }

  // Connects a socket with `options` and runs until it connects or fails; true when connected.
  bool connects(const std::string& url, client::ClientOptions options) {
    options.reconnection = false;
    client::Client manager(io, url, std::move(options));
    auto socket = manager.socket("/");
    bool failed = false;
    socket->on_connect_error([&](const client::ConnectError&) { failed = true; });
    socket->connect();
    EXPECT_TRUE(run_until([&] { return socket->connected() || failed; }));
    return socket->connected();
  }

  static inline std::string dir;
};

TEST_F(ClientTlsTest, HttpsPollingUpgradesToWss) {
  // Known server bug: over TLS on 2 shards, about one upgrade in three never completes, with
  // the official socket.io-client too (not a client issue); tested on 1 shard until fixed.
  if (env("SB_SHARDS", "1") != "1") GTEST_SKIP() << "TLS upgrade across shards: server bug";
  auto [manager, socket] =
      connect_recorded(https(), {.reconnection = false, .tls = {.ca_file = cert()}});
  ASSERT_TRUE(socket->connected());
  auto* client = manager.get();
  ASSERT_TRUE(run_until([&] { return client->transport() == Transport::WebSocket; }));
  check_round_trips(*socket);
}

TEST_F(ClientTlsTest, HttpsPollingOnly) {
  auto [manager, socket] = connect_recorded(
      https(),
      {.transports = {Transport::Polling}, .reconnection = false, .tls = {.ca_file = cert()}});
  ASSERT_TRUE(socket->connected());
  check_round_trips(*socket);
  EXPECT_EQ(manager->transport(), Transport::Polling);
}

TEST_F(ClientTlsTest, VerificationIsOnByDefault) {
  // The system's CAs do not know the test certificate: refused, on either transport.
  EXPECT_FALSE(connects(https(), {.transports = {Transport::Polling}}));
  EXPECT_FALSE(connects(https(), {.transports = {Transport::WebSocket}}));
  // Plain HTTP to the TLS port fails too.
  EXPECT_FALSE(connects("http://127.0.0.1:" + std::to_string(server->port()),
                        {.transports = {Transport::Polling}, .timeout = 2s}));
}

TEST_F(ClientTlsTest, TheCertificateMustNameTheHost) {
  // Trusted, but issued for 127.0.0.1, not for "localhost" (which reaches the same server).
  std::string localhost = "https://localhost:" + std::to_string(server->port());
  EXPECT_FALSE(
      connects(localhost, {.transports = {Transport::WebSocket}, .tls = {.ca_file = cert()}}));
  EXPECT_TRUE(
      connects(localhost, {.transports = {Transport::WebSocket}, .tls = {.verify_peer = false}}));
}

TEST_F(ClientTlsTest, VerificationCanBeTurnedOff) {
  EXPECT_TRUE(
      connects(https(), {.transports = {Transport::WebSocket}, .tls = {.verify_peer = false}}));
}

TEST_F(ClientTlsTest, AnUnreadableCaFileThrows) {
  EXPECT_THROW({ client::Client c(io, https(), {.tls = {.ca_file = dir + "/missing.pem"}}); },
               boost::system::system_error);
}

TEST_F(ClientTlsTest, PlainWebSocketOverWss) {
  for (bool trusted : {true, false}) {
    client::WebSocket ws(io, {.tls = {.ca_file = trusted ? cert() : ""}});
    std::optional<boost::system::error_code> opened;
    std::vector<std::string> messages;
    ws.on_open([&](boost::system::error_code ec) { opened = ec; });
    ws.on_message([&](std::string m, bool) { messages.push_back(std::move(m)); });
    ws.connect("wss://127.0.0.1:" + std::to_string(server->port()) +
               "/socket.io/?EIO=4&transport=websocket");
    ASSERT_TRUE(run_until([&] { return opened.has_value(); }));
    if (!trusted) {
      EXPECT_TRUE(*opened);
      continue;
    }
    ASSERT_FALSE(*opened) << opened->message();
    ASSERT_TRUE(run_until([&] { return !messages.empty(); }));
    EXPECT_EQ(messages[0].substr(0, 8), R"(0{"sid":)");
    ws.close();
  }
}

}  // namespace
