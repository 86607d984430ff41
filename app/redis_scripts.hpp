#pragma once
// The Lua scripts of the Redis history (docs/decisions/012-redis-history.md). Each runs
// atomically in Redis; the keys a script touches are passed in KEYS except where a script
// walks the rooms (empty_rooms), so the history needs a single Redis (not Redis Cluster).

namespace switchboard::app::redis_scripts {

/// KEYS: rooms hash, the room's id counter, the room's stream.
/// ARGV: room, bound, user, user_id, text, ts, channel, message prefix, message suffix.
/// Assigns the next id of the room, appends the message to the stream (keeping at least
/// `bound` messages) and publishes prefix..msgpack(id)..suffix on `channel`, as one step.
/// Answers the id, or the error ROOMNOTFOUND.
inline constexpr const char* kAppend = R"lua(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  return redis.error_reply('ROOMNOTFOUND no such room')
end
local id = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], string.format('%d-0', id),
           'user', ARGV[3], 'user_id', ARGV[4], 'text', ARGV[5], 'ts', ARGV[6])
redis.call('PUBLISH', ARGV[7], ARGV[8] .. cmsgpack.pack(id) .. ARGV[9])
return id
)lua";

/// kAppend for a cluster whose Socket.IO connection state recovery is kept in Redis
/// (docs/decisions/014): the message is also appended to /chat's recovery stream and published
/// as a recoverable packet, its offset (the recovery stream's id, a msgpack str8) last. The
/// room's stream keeps the offset too (field `offset`): a node that reads the message back to
/// fill a hole delivers it with its offset, so a client's last offset stays exact.
/// KEYS: rooms hash, the room's id counter, the room's stream, the recovery stream.
/// ARGV: as kAppend, the message in three parts (before the id, between the id and the
/// offset, after the offset), then the recovery stream's bound.
inline constexpr const char* kAppendRecoverable = R"lua(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  return redis.error_reply('ROOMNOTFOUND no such room')
end
local id = redis.call('INCR', KEYS[2])
local a = ARGV[8] .. cmsgpack.pack(id) .. ARGV[9]
local offset = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[11], '*',
                          'a', a, 'b', ARGV[10], 'f', 'm')
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], string.format('%d-0', id),
           'user', ARGV[3], 'user_id', ARGV[4], 'text', ARGV[5], 'ts', ARGV[6], 'offset', offset)
redis.call('PUBLISH', ARGV[7], a .. string.char(217, #offset) .. offset .. ARGV[10])
return id
)lua";

/// KEYS: rooms hash. ARGV: room, most rooms, now (ms). Answers 1 when created, 0 when it
/// existed, or the error TOOMANYROOMS.
inline constexpr const char* kEnsureRoom = R"lua(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[2]) then
  return redis.error_reply('TOOMANYROOMS the maximum number of rooms is reached')
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
)lua";

/// KEYS: rooms hash, the room's stream. ARGV: room, '1' for only if empty. Answers 1 when
/// deleted. The id counter stays, so that a room created again under the same name goes on
/// with higher ids and a client resuming from an old id misses nothing new.
inline constexpr const char* kDeleteRoom = R"lua(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
)lua";

/// KEYS: rooms hash. ARGV: created before (ms), stream key = ARGV[2]..room..ARGV[3].
/// Answers the rooms without messages created before the time, by name, at most 1000.
inline constexpr const char* kEmptyRooms = R"lua(
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  if tonumber(all[i + 1]) < tonumber(ARGV[1]) and
     redis.call('EXISTS', ARGV[2] .. all[i] .. ARGV[3]) == 0 then
    out[#out + 1] = all[i]
  end
end
table.sort(out)
while #out > 1000 do table.remove(out) end
return out
)lua";

/// KEYS: user id counter, tokens hash (token hash -> id), names hash (id -> name).
/// ARGV: token hash, name. Answers the new id.
inline constexpr const char* kCreateUser = R"lua(
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], id)
redis.call('HSET', KEYS[3], id, ARGV[2])
return id
)lua";

/// KEYS: names hash. ARGV: id, name. Answers 1, or the error USERNOTFOUND.
inline constexpr const char* kRenameUser = R"lua(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  return redis.error_reply('USERNOTFOUND no such user')
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
)lua";

/// KEYS: tokens hash, names hash. ARGV: token hash. Answers {id, name}, or USERNOTFOUND.
inline constexpr const char* kFindUser = R"lua(
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return redis.error_reply('USERNOTFOUND no such user') end
return {tonumber(id), redis.call('HGET', KEYS[2], id)}
)lua";

}  // namespace switchboard::app::redis_scripts
