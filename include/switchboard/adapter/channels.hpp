#pragma once
/// The Redis channels of one namespace, and which one a message takes
/// (docs/cluster-wire-format.md §2). Sans-I/O.

#include <optional>
#include <string>
#include <string_view>

#include "switchboard/adapter/messages.hpp"

namespace switchboard::adapter {

/// Channel names for a key prefix (default "socket.io") and a namespace.
class Channels {
 public:
  /// The channels of namespace `nsp` under prefix `key`.
  Channels(std::string key, std::string nsp);

  /// `<key>#<nsp>#`: classic broadcasts, and every sharded message.
  const std::string& main() const { return main_; }
  /// `<key>#<nsp>#<room>#`: a classic single-room broadcast, a sharded public room.
  std::string room(std::string_view room) const;
  /// `<key>#<nsp>#*`: the classic subscription pattern.
  std::string pattern() const { return main_ + '*'; }
  /// `<key>-request#<nsp>#` (classic requests).
  const std::string& request() const { return request_; }
  /// `<key>-response#<nsp>#` (classic responses to every node).
  const std::string& response() const { return response_; }

  /// `<key>-response#<nsp>#<uid>#` (classic, publishOnSpecificResponseChannel).
  std::string specific_response(std::string_view uid) const;
  /// `<key>#<nsp>#<uid>#` (sharded responses to the node `uid`).
  std::string sharded_response(std::string_view uid) const { return room(uid); }

  /// Classic: exactly one distinct room -> its room channel, else main() (lib/index.ts).
  std::string classic_broadcast(const BroadcastOptions& opts) const;
  /// Sharded, "dynamic" mode: a BROADCAST without ack to exactly one room whose name is not
  /// 20 UTF-16 units long (a socket id) -> the room channel, else main()
  /// (sharded-adapter.ts computeChannel).
  std::string sharded_publish(const ClusterMessage& message) const;
  /// The room a message on `channel` is addressed to ("" for main()), or nullopt when the
  /// channel is not one of this namespace's broadcast channels.
  std::optional<std::string_view> room_of(std::string_view channel) const;

 private:
  std::string main_;
  std::string request_;
  std::string response_;
};

/// The length of `utf8` in UTF-16 code units (JavaScript's String.length).
std::size_t utf16_length(std::string_view utf8);
/// True when a room name looks like a socket id to the sharded adapter (length 20).
inline bool looks_like_socket_id(std::string_view room) {
  return utf16_length(room) == 20;
}

}  // namespace switchboard::adapter
