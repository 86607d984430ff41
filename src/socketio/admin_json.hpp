#pragma once
// Private: the Admin UI's JSON for sockets and times.

#include <chrono>
#include <string>

#include <boost/json/object.hpp>

#include "switchboard/socketio/socket.hpp"

namespace switchboard::socketio::detail {

/// JavaScript's Date.toISOString(): "2026-12-07T15:30:00.123Z".
std::string iso_time(std::chrono::system_clock::time_point t);
/// The reference's clientId: the first 12 characters of the Engine.IO session id.
std::string client_id(const engineio::Socket& conn);
/// The reference's serialized socket: {id, clientId, transport, nsp, data, handshake, rooms}.
boost::json::object socket_json(Socket& socket);
/// The same for a socket of another node, as fetch_sockets reports it: no clientId or
/// transport (the reference's remote sockets have neither).
boost::json::object socket_json(const SocketInfo& socket);

}  // namespace switchboard::socketio::detail
