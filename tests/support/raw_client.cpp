#include "support/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace switchboard::test {

RawClient::RawClient(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect failed");
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void RawClient::shutdown_send() {
  ::shutdown(fd_, SHUT_WR);
}

bool RawClient::fill(std::chrono::milliseconds timeout) {
  if (eof_) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char buf[65536];
  auto n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  buffer_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::string RawClient::read_exactly(std::size_t n, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buffer_.size() < n && std::chrono::steady_clock::now() < deadline) {
    fill(std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                               std::chrono::steady_clock::now()));
    if (eof_) break;
  }
  auto take = std::min(n, buffer_.size());
  std::string out = buffer_.substr(0, take);
  buffer_.erase(0, take);
  return out;
}

std::string RawClient::read_until(std::string_view marker, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buffer_.find(marker) == std::string::npos && !eof_ &&
         std::chrono::steady_clock::now() < deadline) {
    fill(std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                               std::chrono::steady_clock::now()));
  }
  auto pos = buffer_.find(marker);
  auto take = pos == std::string::npos ? buffer_.size() : pos + marker.size();
  std::string out = buffer_.substr(0, take);
  buffer_.erase(0, take);
  return out;
}

std::string RawClient::read_response(std::chrono::milliseconds timeout) {
  std::string head = read_until("\r\n\r\n", timeout);
  auto length = header_of(head, "Content-Length");
  if (length.empty()) return head;
  return head + read_exactly(std::stoul(length), timeout);
}

std::string RawClient::read_to_eof(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!eof_ && std::chrono::steady_clock::now() < deadline) {
    fill(std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                               std::chrono::steady_clock::now()));
  }
  std::string out = std::move(buffer_);
  buffer_.clear();
  return out;
}

bool RawClient::closed_by_peer(std::chrono::milliseconds timeout) {
  read_to_eof(timeout);
  return eof_;
}

int status_of(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

std::string header_of(const std::string& response, const std::string& name) {
  auto end = response.find("\r\n\r\n");
  std::string head = response.substr(0, end);
  std::string lower_head = head;
  std::string lower_name = name;
  std::transform(lower_head.begin(), lower_head.end(), lower_head.begin(), ::tolower);
  std::transform(lower_name.begin(), lower_name.end(), lower_name.begin(), ::tolower);
  auto pos = lower_head.find("\r\n" + lower_name + ":");
  if (pos == std::string::npos) return "";
  pos += 3 + name.size();
  auto eol = head.find("\r\n", pos);
  auto value = head.substr(pos, eol - pos);
  value.erase(0, value.find_first_not_of(' '));
  return value;
}

std::string body_of(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

}  // namespace switchboard::test
