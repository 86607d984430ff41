#pragma once
// Splits the URLs a client is given (`http://host:port/path?query`, `ws://...`).

#include <boost/system/result.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace boost::asio::ssl {
class context;
}

namespace switchboard::client::detail {

/// The parts of a server URL the client needs.
struct Url {
  bool secure = false;  ///< https:// or wss://
  std::string host;
  std::string port;    ///< defaulted from the scheme (80 / 443)
  std::string target;  ///< path and query, at least "/"
  /// The TLS context of a secure URL, set by the client that connects to it (null: plain TCP).
  std::shared_ptr<boost::asio::ssl::context> tls;
  /// `host` or `host:port` when the port is not the scheme's default (the Host header).
  std::string host_header() const;
};

/// Parses `text`. Error: Error::BadUrl for another scheme, no host or a bad port. Never throws.
boost::system::result<Url> parse_url(std::string_view text);

}  // namespace switchboard::client::detail
