#include "users.hpp"

#include <openssl/sha.h>

#include <array>

#include "switchboard/net/random.hpp"

namespace switchboard::app {

namespace {

std::string to_hex(std::span<const unsigned char> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

bool well_formed(std::string_view token) {
  if (token.size() != 64) return false;
  for (char c : token) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Failure unauthorized() {
  return {Failure::Kind::Unauthorized, "invalid token"};
}

}  // namespace

std::string Users::new_token() {
  std::array<unsigned char, 32> bytes{};
  net::random_bytes(bytes);
  return to_hex(bytes);
}

std::string Users::hash(std::string_view token) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  return to_hex(digest);
}

std::optional<std::string_view> Users::bearer(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    // The scheme is case-insensitive (RFC 9110 §11.1).
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i]) return std::nullopt;
  }
  auto token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

void Users::create(std::string name, std::function<void(Error, Author, std::string)> done) {
  auto token = new_token();
  auto token_hash = hash(token);
  history_.create_user(std::move(name), token_hash,
                       [this, token, token_hash, done = std::move(done)](Error error, Author user) {
                         if (!error) {
                           std::lock_guard lock(mutex_);
                           by_hash_[token_hash] = user;
                           hash_of_[user.id] = token_hash;
                         }
                         done(error, user, error ? std::string() : token);
                       });
}

void Users::authenticate(std::string_view token, std::function<void(Error, Author)> done) {
  if (!well_formed(token)) return done(unauthorized(), {});
  auto token_hash = hash(token);
  std::optional<Author> known;
  {
    std::lock_guard lock(mutex_);
    if (auto it = by_hash_.find(token_hash); it != by_hash_.end()) known = it->second;
  }
  if (known) return done(std::nullopt, *known);  // outside the lock: `done` may call back
  history_.find_user(token_hash,
                     [this, token_hash, done = std::move(done)](Error error, Author user) {
                       if (error && error->kind == Failure::Kind::NotFound)
                         return done(unauthorized(), {});
                       if (!error) {
                         std::lock_guard lock(mutex_);
                         // A rename since the read wins (the cache has the newer name).
                         auto [it, added] = by_hash_.try_emplace(token_hash, user);
                         if (added) hash_of_[user.id] = token_hash;
                         user = it->second;
                       }
                       done(error, user);
                     });
}

std::optional<std::string> Users::name_of(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto h = hash_of_.find(id);
  if (h == hash_of_.end()) return std::nullopt;
  auto it = by_hash_.find(h->second);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second.name;
}

void Users::rename(std::uint64_t id, std::string name, std::function<void(Error, Author)> done) {
  history_.rename_user(id, std::move(name),
                       [this, done = std::move(done)](Error error, Author user) {
                         if (!error) {
                           std::lock_guard lock(mutex_);
                           if (auto h = hash_of_.find(user.id); h != hash_of_.end())
                             by_hash_[h->second] = user;
                         }
                         done(error, user);
                       });
}

}  // namespace switchboard::app
