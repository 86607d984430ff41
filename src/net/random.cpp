#include "switchboard/net/random.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace switchboard::net {

namespace {

struct Pool {
  std::array<unsigned char, 4096> bytes{};
  std::size_t used = bytes.size();
  ~Pool() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

}  // namespace

void random_bytes(std::span<unsigned char> out) {
  thread_local Pool pool;
  while (!out.empty()) {
    if (pool.used == pool.bytes.size()) {
      if (RAND_bytes(pool.bytes.data(), static_cast<int>(pool.bytes.size())) != 1) {
        throw std::runtime_error("no randomness");
      }
      pool.used = 0;
    }
    auto n = std::min(out.size(), pool.bytes.size() - pool.used);
    std::memcpy(out.data(), pool.bytes.data() + pool.used, n);
    // What was handed out does not stay behind.
    OPENSSL_cleanse(pool.bytes.data() + pool.used, n);
    pool.used += n;
    out = out.subspan(n);
  }
}

}  // namespace switchboard::net
