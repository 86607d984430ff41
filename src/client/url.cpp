#include "client/url.hpp"

#include "switchboard/client/error.hpp"

#include <algorithm>
#include <cctype>

namespace switchboard::client::detail {

std::string Url::host_header() const {
  bool default_port = (secure && port == "443") || (!secure && port == "80");
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + port;
}

boost::system::result<Url> parse_url(std::string_view text) {
  Url url;
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return Error::BadUrl;
  std::string scheme(text.substr(0, scheme_end));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (scheme == "https" || scheme == "wss") {
    url.secure = true;
  } else if (scheme != "http" && scheme != "ws") {
    return Error::BadUrl;
  }
  auto rest = text.substr(scheme_end + 3);
  auto slash = rest.find_first_of("/?");
  auto authority = rest.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.target.front() == '?') url.target.insert(0, "/");
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8000
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Error::BadUrl;
    url.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Error::BadUrl;
      port = after.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return Error::BadUrl;
  if (port.empty()) {
    url.port = url.secure ? "443" : "80";
  } else {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
      return Error::BadUrl;
    url.port = std::string(port);
  }
  return url;
}

}  // namespace switchboard::client::detail
