#pragma once
// One HTTP/1.1 request on its own TCP connection, for the Engine.IO polling transport.

#include "client/url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::client::detail {

/// What a polling request sends.
struct HttpRequest {
  std::string method = "GET";
  std::string target;  ///< path and query
  std::string body;    ///< sent as text/plain;charset=UTF-8 when not empty
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_body = 16 * 1024 * 1024;
};

/// An in-flight request; `cancel` ends it with operation_aborted.
class HttpCall {
 public:
  virtual ~HttpCall() = default;
  /// Stops the request; the handler runs with boost::asio::error::operation_aborted.
  virtual void cancel() = 0;
};

/// The handler: an error (network, timeout, or Error::HttpStatus for a status other than
/// 200), and the response body.
using HttpHandler = std::function<void(boost::system::error_code, std::string body)>;

/// Sends `request` to `url`'s host and port on a new connection and calls `handler` once on
/// `executor`.
std::shared_ptr<HttpCall> send_http(boost::asio::any_io_executor executor, const Url& url,
                                    HttpRequest request, HttpHandler handler);

}  // namespace switchboard::client::detail
