#pragma once
/// Connection state recovery kept in Redis (docs/decisions/014), sans-I/O: the keys, the Lua
/// scripts and what goes in and out of them. RedisAdapter runs the scripts.
///
/// - Every recoverable packet of a namespace is appended to one stream,
///   `<key>#<nsp>#recovery`, bounded by `MAXLEN ~ max_packets`, and published in the same
///   script, so that every node receives them in the stream's order. The stream id is the
///   packet's offset (its last argument), filled into the published bytes by the script.
/// - A session is a hash `<key>#<nsp>#session#<pid>` {owner, session (JSON), start}, written
///   while its socket is connected (so that it survives the death of its node) and expiring
///   max_disconnection_duration after its node last refreshed it.
///
///   auto t = adapter::split_at_marker(encode_broadcast({uid, packet, opts}), marker);
///   redis.command({"EVAL", kAppendScript, "1", keys.stream, "10000", t->prefix, t->suffix,
///                  std::string(1, t->form), "PUBLISH", channel});

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/adapter/cluster_core.hpp"
#include "switchboard/adapter/redis_client.hpp"
#include "switchboard/socketio/adapter.hpp"

namespace switchboard::adapter {

/// The uid suffix of a recoverable packet's message: its receivers, the publisher included,
/// deliver it with the offset it carries.
inline constexpr std::string_view kRecoverableUidSuffix = "+r";

/// The Redis keys of one namespace's recovery.
struct RecoveryKeys {
  /// The keys of namespace `nsp` under prefix `key`.
  RecoveryKeys(std::string_view key, std::string_view nsp);
  /// `<key>#<nsp>#recovery`: the stream of recoverable packets.
  std::string stream;
  /// `<key>#<nsp>#session#<pid>`: the hash of session `pid`.
  std::string session(std::string_view pid) const;

 private:
  std::string session_prefix_;
};

/// A published message with a hole where its offset goes.
struct OffsetTemplate {
  std::string prefix;  ///< The bytes before the hole.
  std::string suffix;  ///< The bytes after it.
  /// 'm': a msgpack string goes in the hole (str8 header, then the id); 'j': JSON text inside
  /// the quotes that prefix and suffix keep.
  char form = 'm';
};
/// Splits an encoded message at `marker`, a string argument of it (msgpack or JSON); nullopt
/// when the marker is not there once as a whole string.
std::optional<OffsetTemplate> split_at_marker(std::string_view payload, std::string_view marker);
/// The message with `offset` in the hole: what kAppendScript publishes.
std::string fill_offset(const OffsetTemplate& t, std::string_view offset);

/// A recoverable emit as the adapter's format publishes it (uid `uid` + kRecoverableUidSuffix,
/// the offset as its last argument), with a hole for the offset, and its channel (in sharded
/// mode always the main channel, never a room's).
struct RecoverableMessage {
  std::string channel;     ///< Where to publish it.
  OffsetTemplate message;  ///< What to publish, once the offset is known.
};
/// The recoverable message for an emit of `event` to `target`; nullopt when the encoded
/// message cannot be split around its offset (not expected for well-formed arguments).
std::optional<RecoverableMessage> recoverable_message(ClusterMode mode, const Channels& channels,
                                                      std::string_view uid, std::string_view nsp,
                                                      const socketio::Target& target,
                                                      std::string_view event,
                                                      const socketio::Args& args);

/// KEYS[1] stream; ARGV max_packets, prefix, suffix, form, PUBLISH|SPUBLISH, channel.
/// Appends, publishes the filled message, returns the id.
extern const char* const kAppendScript;
/// KEYS[1] session, KEYS[2] stream; ARGV owner, session JSON, ttl ms, start, "claim"|"update".
/// A claim takes the session; an update writes only if it is the owner's or there is none.
/// A missing start is the stream's newest id ("0-0" when empty). Returns 1 when written.
extern const char* const kPersistScript;
/// KEYS[1] session; ARGV owner. Deletes the session if it is the owner's.
extern const char* const kForgetScript;
/// KEYS[1] session. Returns [session JSON, start] (nils when none) and deletes it.
extern const char* const kTakeScript;
/// KEYS[1] stream; ARGV after. Returns [1, entries after `after`] or [0] when some of them
/// were trimmed.
extern const char* const kMissedScript;

/// The session as the JSON kPersistScript stores.
std::string encode_session(const socketio::SessionState& session);
/// The session of a kTakeScript reply; nullopt when none or unreadable.
std::optional<socketio::SessionState> session_from_reply(const RedisReply& reply);

/// What a kMissedScript reply holds: nullopt when it refuses (trimmed) or cannot be read.
struct KeptEntry {
  std::string id;          ///< The stream id (the packet's offset).
  OffsetTemplate message;  ///< The published message, its hole still open.
};
/// The entries of a kMissedScript reply, oldest first.
std::optional<std::vector<KeptEntry>> entries_from_reply(const RedisReply& reply);

/// A kept packet as the namespace replays it; nullopt when it is not an event of `nsp`.
std::optional<socketio::MissedPacket> missed_packet(ClusterMode mode, std::string_view nsp,
                                                    const KeptEntry& entry);

}  // namespace switchboard::adapter
