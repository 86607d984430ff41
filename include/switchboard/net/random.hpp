#pragma once
/// Cryptographically secure random bytes, cheap enough for every connection's ids.

#include <cstddef>
#include <span>

namespace switchboard::net {

/// Fills `out` from OpenSSL's CSPRNG through a per-thread buffer: one RAND_bytes call per
/// 4 KiB instead of one per id (a call costs thousands of instructions). Each byte is handed
/// out once. Throws std::runtime_error when the CSPRNG fails.
void random_bytes(std::span<unsigned char> out);

}  // namespace switchboard::net
