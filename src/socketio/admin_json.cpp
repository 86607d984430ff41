// What the Admin UI is told about a socket, in the reference's words (serialize() in
// @socket.io/admin-ui's index.js).
#include "socketio/admin_json.hpp"

#include <ctime>

#include "switchboard/engineio/server.hpp"
#include "switchboard/socketio/namespace.hpp"

namespace switchboard::socketio::detail {

namespace {

boost::json::object headers_json(const http::Headers& headers) {
  boost::json::object out;
  for (auto field : headers) {
    std::string name(field.name);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[name] = field.value;
  }
  return out;
}

boost::json::object query_json(std::string_view query) {
  boost::json::object out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    auto key = http::percent_decode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                              : http::percent_decode(pair.substr(eq + 1), true);
    if (key && value && !key->empty()) out[*key] = *value;
  }
  return out;
}

std::string http_date(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  char text[64];
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

}  // namespace

std::string iso_time(std::chrono::system_clock::time_point t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(ms % 1000));
  return out;
}

std::string client_id(const engineio::Socket& conn) {
  return conn.id().substr(0, 12);
}

boost::json::object socket_json(Socket& socket) {
  const auto& hs = socket.handshake();
  auto conn = socket.conn();
  auto headers = headers_json(hs.headers());
  // As the reference: the address a proxy reports, else the peer's.
  boost::json::value address(hs.address());
  if (const auto* h = headers.if_contains("cf-connecting-ip")) {
    address = *h;
  } else if (const auto* f = headers.if_contains("x-forwarded-for")) {
    address = *f;
  }
  const auto issued =
      std::chrono::duration_cast<std::chrono::milliseconds>(hs.time.time_since_epoch()).count();
  boost::json::object handshake{{"address", std::move(address)},
                                {"headers", std::move(headers)},
                                {"query", query_json(hs.query())},
                                {"issued", issued},
                                {"secure", hs.secure()},
                                {"time", http_date(hs.time)},
                                {"url", hs.url()},
                                {"xdomain", hs.headers().contains("origin")}};
  boost::json::array rooms;
  for (const auto& room : socket.rooms()) rooms.emplace_back(room);
  return {{"id", socket.id()},
          {"clientId", conn ? client_id(*conn) : std::string()},
          {"transport", conn ? std::string(conn->transport()) : std::string()},
          {"nsp", socket.nsp().name()},
          {"data", socket.data.is_null() ? boost::json::value(boost::json::object{}) : socket.data},
          {"handshake", std::move(handshake)},
          {"rooms", std::move(rooms)}};
}

boost::json::object socket_json(const SocketInfo& socket) {
  boost::json::array rooms;
  for (const auto& room : socket.rooms) rooms.emplace_back(room);
  return {{"id", socket.id},
          {"nsp", socket.nsp},
          {"data", socket.data.is_null() ? boost::json::value(boost::json::object{}) : socket.data},
          {"handshake", socket.handshake.is_null() ? boost::json::value(boost::json::object{})
                                                   : socket.handshake},
          {"rooms", std::move(rooms)}};
}

}  // namespace switchboard::socketio::detail
