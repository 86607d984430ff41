#include "driver.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sio_client_codec.hpp"

namespace switchboard::bench {
namespace {

constexpr std::size_t read_buffer_size = 256 * 1024;
constexpr int reads_per_turn = 4;  // then let the other connections have their turn
constexpr std::size_t compact_at = 256 * 1024;

std::uint64_t key_of(const Conn& conn) {
  return conn.slot | (static_cast<std::uint64_t>(conn.generation) << 32);
}

}  // namespace

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

Driver::Driver(Target target, Handler& handler)
    : target_(std::move(target)),
      host_(target_.host + ":" + std::to_string(target_.port)),
      handler_(handler),
      epoll_(epoll_create1(EPOLL_CLOEXEC)),
      buffer_(read_buffer_size) {
  if (epoll_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

Driver::~Driver() {
  for (auto& conn : conns_) {
    if (conn->fd >= 0) ::close(conn->fd);
  }
  ::close(epoll_);
}

void Driver::open(std::size_t count) {
  queued_ += count;
}

Conn& Driver::allocate() {
  if (!free_.empty()) {
    Conn& conn = *conns_[free_.back()];
    free_.pop_back();
    return conn;
  }
  conns_.push_back(std::make_unique<Conn>());
  conns_.back()->slot = static_cast<std::uint32_t>(conns_.size() - 1);
  return *conns_.back();
}

void Driver::start(Conn& conn) {
  conn.state = Conn::State::Connecting;
  conn.started_ns = now_ns();
  ++pending_;
  conn.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (conn.fd < 0) return fail(conn, std::strerror(errno));
  int one = 1;
  setsockopt(conn.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (target_.sources > 0) {
    // Choose the port at connect() time, per destination, not at bind() time.
    setsockopt(conn.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in source{.sin_family = AF_INET};
    source.sin_addr.s_addr = htonl(0x7F000002u + next_source_++ % target_.sources);
    if (::bind(conn.fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
      return fail(conn, std::string("bind: ") + std::strerror(errno));
    }
  }
  sockaddr_in address{.sin_family = AF_INET, .sin_port = htons(target_.port)};
  if (inet_pton(AF_INET, target_.host.c_str(), &address.sin_addr) != 1) {
    return fail(conn, "bad host address");
  }
  if (::connect(conn.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS) {
    return fail(conn, std::string("connect: ") + std::strerror(errno));
  }
  epoll_event ev{.events = EPOLLOUT, .data = {.u64 = key_of(conn)}};
  epoll_ctl(epoll_, EPOLL_CTL_ADD, conn.fd, &ev);
  conn.waiting_writable = true;
}

void Driver::watch(Conn& conn, bool writable) {
  if (conn.waiting_writable == writable) return;
  conn.waiting_writable = writable;
  epoll_event ev{.events = EPOLLIN | (writable ? EPOLLOUT : 0u), .data = {.u64 = key_of(conn)}};
  epoll_ctl(epoll_, EPOLL_CTL_MOD, conn.fd, &ev);
}

void Driver::poll(int timeout_ms) {
  while (queued_ > 0 && pending_ < target_.max_pending) {
    --queued_;
    start(allocate());
  }
  epoll_event events[512];
  const int n = epoll_wait(epoll_, events, 512, dirty_.empty() ? timeout_ms : 0);
  for (int i = 0; i < n; ++i) {
    const std::uint64_t key = events[i].data.u64;
    const auto slot = static_cast<std::uint32_t>(key);
    Conn& conn = *conns_[slot];
    // A stale event for a connection closed earlier in this turn.
    if (conn.generation != static_cast<std::uint32_t>(key >> 32) || conn.fd < 0) continue;
    on_event(conn, events[i].events);
  }
  std::vector<std::uint32_t> dirty;
  dirty.swap(dirty_);
  for (auto slot : dirty) {
    Conn& conn = *conns_[slot];
    conn.dirty = false;
    if (conn.fd >= 0) flush(conn);
  }
}

void Driver::on_event(Conn& conn, std::uint32_t events) {
  if (conn.state == Conn::State::Connecting) {
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) on_connected(conn);
    return;
  }
  if ((events & EPOLLOUT) != 0) flush(conn);
  if (conn.fd >= 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) read(conn);
}

void Driver::on_connected(Conn& conn) {
  int error = 0;
  socklen_t size = sizeof error;
  getsockopt(conn.fd, SOL_SOCKET, SO_ERROR, &error, &size);
  if (error != 0) return fail(conn, std::string("connect: ") + std::strerror(error));
  conn.state = Conn::State::Upgrading;
  conn.in.clear();
  WsClientCodec::append_handshake(
      conn.out, host_,
      target_.protocol == Protocol::SocketIO ? std::string_view(sio_path) : target_.path);
  watch(conn, false);
  flush(conn);
}

void Driver::read(Conn& conn) {
  const std::uint32_t generation = conn.generation;
  for (int i = 0; i < reads_per_turn; ++i) {
    const ssize_t got = ::recv(conn.fd, buffer_.data(), buffer_.size(), 0);
    if (got > 0) {
      consume(conn, {buffer_.data(), static_cast<std::size_t>(got)});
      if (conn.generation != generation || conn.fd < 0) return;
      if (static_cast<std::size_t>(got) < buffer_.size()) return;
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
    return fail(conn, got == 0 ? "closed by the server" : std::strerror(errno));
  }
}

void Driver::consume(Conn& conn, std::span<const std::uint8_t> bytes) {
  const std::uint32_t generation = conn.generation;
  if (conn.state == Conn::State::Upgrading) {
    conn.in.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::size_t head = 0;
    switch (WsClientCodec::check_handshake(conn.in, head)) {
      case HandshakeState::Incomplete:
        return;
      case HandshakeState::Refused:
        return fail(conn, "upgrade refused: " + conn.in.substr(0, conn.in.find('\r')));
      case HandshakeState::Accepted:
        break;
    }
    conn.codec.emplace();
    std::string rest = conn.in.substr(head);
    conn.in.clear();
    conn.in.shrink_to_fit();
    if (target_.protocol == Protocol::SocketIO) {
      conn.state = Conn::State::Opening;
    } else {
      become_ready(conn);
      if (conn.generation != generation || conn.fd < 0) return;
    }
    return consume(conn, {reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size()});
  }
  while (!bytes.empty()) {
    bytes = bytes.subspan(conn.codec->feed(bytes, conn.event));
    switch (conn.event.kind) {
      case ws::EventKind::None:
        break;
      case ws::EventKind::Message:
        on_text(conn, conn.event.payload);
        if (conn.generation != generation || conn.fd < 0) return;
        break;
      case ws::EventKind::Ping:
        queue_frame(conn, ws::Opcode::Pong, conn.event.payload);
        break;
      case ws::EventKind::Pong:
        break;
      case ws::EventKind::Close:
        return fail(conn, "server sent close");
      case ws::EventKind::Error:
        return fail(conn, "bad frame: " + conn.event.error.message());
    }
  }
}

void Driver::on_text(Conn& conn, std::string_view text) {
  if (target_.protocol == Protocol::WebSocket) return handler_.on_message(conn, {}, text);
  const SioMessage m = parse_sio_message(text);
  switch (m.kind) {
    case SioInput::Open:
      if (conn.state != Conn::State::Opening) return fail(conn, "unexpected open packet");
      conn.state = Conn::State::Joining;
      return queue_frame(conn, ws::Opcode::Text, sio_connect);
    case SioInput::Connected:
      if (conn.state != Conn::State::Joining) return fail(conn, "unexpected CONNECT reply");
      return become_ready(conn);
    case SioInput::Ping:
      return queue_frame(conn, ws::Opcode::Text, sio_pong);
    case SioInput::Event:
      if (conn.state != Conn::State::Ready) return fail(conn, "event before CONNECT");
      return handler_.on_message(conn, m.name, m.arg);
    case SioInput::Other:
      return;
    case SioInput::Invalid:
      return fail(conn, "unexpected message: " + std::string(text.substr(0, 80)));
  }
}

void Driver::become_ready(Conn& conn) {
  conn.state = Conn::State::Ready;
  --pending_;
  ++ready_;
  handler_.on_ready(conn);
}

void Driver::send(Conn& conn, std::string_view name, std::string_view data) {
  if (conn.fd < 0) return;
  if (target_.protocol == Protocol::WebSocket) return queue_frame(conn, ws::Opcode::Text, data);
  thread_local std::string packet;
  packet.clear();
  append_sio_event(packet, name, data);
  queue_frame(conn, ws::Opcode::Text, packet);
}

void Driver::queue_frame(Conn& conn, ws::Opcode opcode, std::string_view payload) {
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  WsClientCodec::append_frame(conn.out, opcode, payload, mask_state_);
  if (!conn.dirty) {
    conn.dirty = true;
    dirty_.push_back(conn.slot);
  }
}

void Driver::flush(Conn& conn) {
  while (conn.out_sent < conn.out.size()) {
    const ssize_t put = ::send(conn.fd, conn.out.data() + conn.out_sent,
                               conn.out.size() - conn.out_sent, MSG_NOSIGNAL);
    if (put > 0) {
      conn.out_sent += static_cast<std::size_t>(put);
      continue;
    }
    if (put < 0 && errno == EAGAIN) {
      // Behind a server that does not keep up, the output only grows: drop what was sent, so
      // that memory follows the backlog rather than everything sent since the queue was last
      // empty (a whole run at overload).
      if (conn.out_sent >= compact_at && conn.out_sent * 2 >= conn.out.size()) {
        conn.out.erase(0, conn.out_sent);
        conn.out_sent = 0;
      }
      return watch(conn, true);
    }
    if (put < 0 && errno == EINTR) continue;
    return fail(conn, std::string("send: ") + std::strerror(errno));
  }
  conn.out.clear();
  conn.out_sent = 0;
  if (conn.state != Conn::State::Connecting) watch(conn, false);
}

void Driver::fail(Conn& conn, std::string_view why) {
  if (conn.state == Conn::State::Closed) return;
  ++failed_;
  last_error_ = why;
  const bool was_ready = conn.state == Conn::State::Ready;
  release(conn);
  if (was_ready) {
    --ready_;
  } else {
    --pending_;
  }
  handler_.on_closed(conn, why);
}

void Driver::close(Conn& conn) {
  if (conn.state == Conn::State::Closed) return;
  if (conn.state == Conn::State::Ready) {
    --ready_;
  } else {
    --pending_;
  }
  release(conn);
}

void Driver::release(Conn& conn) {
  if (conn.fd >= 0) {
    if (target_.reset_on_close) {
      linger hard{.l_onoff = 1, .l_linger = 0};
      setsockopt(conn.fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    ::close(conn.fd);  // also removes it from the epoll set
  }
  conn.fd = -1;
  conn.state = Conn::State::Closed;
  ++conn.generation;
  conn.in.clear();
  conn.out.clear();
  conn.out_sent = 0;
  conn.codec.reset();
  conn.waiting_writable = false;
  free_.push_back(conn.slot);
}

}  // namespace switchboard::bench
