#pragma once
// Registered chat users: a stable id, a display name, and a secret token that proves who one
// is. The token is 256 random bits (64 hex digits), given once at registration; the store
// keeps only its SHA-256, so a copy of the database does not let anyone post as its users.
// Known tokens are cached (by hash) so that a reconnection or an HTTP post does not read the
// store.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "history.hpp"

namespace switchboard::app {

class Users {
 public:
  explicit Users(History& history) : history_(history) {}

  /// A new random token: 64 lowercase hex digits.
  static std::string new_token();
  /// The SHA-256 of `token`, in hex: what the store keys a user by.
  static std::string hash(std::string_view token);
  /// The token of an `Authorization: Bearer <token>` header value (nullopt when not one).
  static std::optional<std::string_view> bearer(std::string_view authorization);

  /// Creates a user named `name` (already normalised); `done(error, user, token)` on the
  /// store's thread.
  void create(std::string name, std::function<void(Error, Author, std::string token)> done);
  /// The user `token` belongs to: `Unauthorized` when it is malformed or unknown. `done` runs
  /// at once (cached) or on the store's thread.
  void authenticate(std::string_view token, std::function<void(Error, Author)> done);
  /// User `id`'s current name as far as this process knows (renamed in another tab, say).
  std::optional<std::string> name_of(std::uint64_t id);
  /// Renames user `id` (durably); `done(error, user)` on the store's thread.
  void rename(std::uint64_t id, std::string name, std::function<void(Error, Author)> done);

 private:
  History& history_;
  std::mutex mutex_;
  std::unordered_map<std::string, Author> by_hash_;         // guarded by mutex_
  std::unordered_map<std::uint64_t, std::string> hash_of_;  // guarded by mutex_
};

}  // namespace switchboard::app
