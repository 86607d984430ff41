#include "engineio/sid.hpp"

#include <array>

#include "switchboard/net/random.hpp"

namespace switchboard::engineio::detail {

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int value_of(char c) {
  auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}
}  // namespace

std::string make_sid(unsigned shard, unsigned shards) {
  std::array<unsigned char, 20> random{};
  net::random_bytes(random);
  std::string sid(20, 'A');
  for (std::size_t i = 0; i < sid.size(); ++i) sid[i] = kAlphabet[random[i] & 63];
  // First character: a random one among those whose value is `shard` modulo `shards`.
  unsigned choices = (63 - shard) / shards + 1;
  sid[0] = kAlphabet[shard + shards * (random[0] % choices)];
  return sid;
}

std::optional<unsigned> owner_of(std::string_view sid, unsigned shards) {
  if (sid.size() != 20) return std::nullopt;
  for (char c : sid) {
    if (value_of(c) < 0) return std::nullopt;
  }
  return static_cast<unsigned>(value_of(sid[0])) % shards;
}

bool valid_node_id(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    if (value_of(c) < 0) return false;
  }
  return true;
}

}  // namespace switchboard::engineio::detail
