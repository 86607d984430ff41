#include "switchboard/adapter/channels.hpp"

#include <algorithm>

namespace switchboard::adapter {

Channels::Channels(std::string key, std::string nsp)
    : main_(key + '#' + nsp + '#'),
      request_(key + "-request#" + nsp + '#'),
      response_(key + "-response#" + nsp + '#') {}

std::string Channels::room(std::string_view room) const {
  std::string channel = main_;
  channel.append(room);
  channel += '#';
  return channel;
}

std::string Channels::specific_response(std::string_view uid) const {
  std::string channel = response_;
  channel.append(uid);
  channel += '#';
  return channel;
}

std::string Channels::classic_broadcast(const BroadcastOptions& opts) const {
  // The reference tests `opts.rooms.size === 1` on a Set: duplicates count once.
  const auto& rooms = opts.rooms;
  const bool one_room =
      !rooms.empty() && std::all_of(rooms.begin(), rooms.end(),
                                    [&](const std::string& r) { return r == rooms.front(); });
  return one_room ? room(rooms.front()) : main_;
}

std::string Channels::sharded_publish(const ClusterMessage& message) const {
  if (message.type != MessageType::Broadcast) return main_;
  const auto* data = message.data.json.if_object();
  if (!data || data->contains("requestId")) return main_;
  const auto* opts = data->if_contains("opts");
  const auto* rooms = opts && opts->is_object() ? opts->get_object().if_contains("rooms") : nullptr;
  if (!rooms || !rooms->is_array() || rooms->get_array().size() != 1) return main_;
  const auto& only = rooms->get_array()[0];
  if (!only.is_string() || looks_like_socket_id(only.get_string())) return main_;
  return room(only.get_string());
}

std::optional<std::string_view> Channels::room_of(std::string_view channel) const {
  if (!channel.starts_with(main_)) return std::nullopt;
  if (channel.size() == main_.size()) return std::string_view();
  if (channel.back() != '#') return std::nullopt;
  return channel.substr(main_.size(), channel.size() - main_.size() - 1);
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xc0) != 0x80) ++n;  // a lead byte starts a code point
    if ((c & 0xf8) == 0xf0) ++n;  // four-byte sequences are surrogate pairs
  }
  return n;
}

}  // namespace switchboard::adapter
