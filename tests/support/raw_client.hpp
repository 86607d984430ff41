#pragma once
// A blocking TCP client with timeouts, for sending exact bytes to a server under test.

#include <chrono>
#include <cstdint>
#include <string>

namespace switchboard::test {

class RawClient {
 public:
  /// Connects to 127.0.0.1:port; throws on failure.
  explicit RawClient(std::uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /// Sends every byte; false when the connection failed first (reset, or closed by the peer).
  bool send(std::string_view bytes);
  /// Reads until `n` bytes have arrived (or EOF / timeout); returns what arrived.
  std::string read_exactly(std::size_t n,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Reads until `marker` has arrived (or EOF / timeout); returns everything read so far.
  std::string read_until(std::string_view marker,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Reads one whole HTTP response (head + Content-Length body), leaving later bytes buffered.
  std::string read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Reads until the server closes; returns everything read.
  std::string read_to_eof(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// True when the server has closed the connection (EOF or reset) within the timeout.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void shutdown_send();

 private:
  bool fill(std::chrono::milliseconds timeout);
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

/// The status code of an HTTP response text, or 0.
int status_of(const std::string& response);
/// The value of a header in an HTTP response text, or "".
std::string header_of(const std::string& response, const std::string& name);
/// The body of an HTTP response text.
std::string body_of(const std::string& response);

}  // namespace switchboard::test
