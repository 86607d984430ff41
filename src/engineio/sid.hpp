#pragma once
// Private: session ids that carry their owner shard and nothing guessable.

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::engineio::detail {

/// 15 random bytes (OpenSSL's CSPRNG, net::random_bytes) as 20 URL-safe base64 characters; the
/// first character's value modulo `shards` is `shard`, and the other 114 bits are random.
std::string make_sid(unsigned shard, unsigned shards);
/// The owner shard of a sid, or nullopt when it is not one of ours.
std::optional<unsigned> owner_of(std::string_view sid, unsigned shards);
/// True for a node id a sid may carry (NodeDirectory::node_id): 1 to 32 URL-safe characters.
bool valid_node_id(std::string_view id);

}  // namespace switchboard::engineio::detail
