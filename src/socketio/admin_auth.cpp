#include "socketio/admin_auth.hpp"

#include <crypt.h>

#include <memory>

#include <openssl/crypto.h>

#include "switchboard/net/random.hpp"

namespace switchboard::socketio::detail {

namespace {

constexpr auto kSessionLifetime = std::chrono::hours(24);
constexpr std::size_t kMaxSessions = 1000;
// bcrypt reads 72 bytes of a password; a longer one is refused without hashing it.
constexpr std::size_t kMaxPassword = 1024;

// crypt_rn hashes `password` with the salt and cost of `setting`; null when it cannot.
std::string bcrypt(const std::string& password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(password.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  return out && out[0] != '*' ? std::string(out) : std::string();
}

}  // namespace

bool valid_bcrypt_hash(const std::string& hash) {
  // $2?$NN$ then 53 characters of salt and hash.
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') {
    return false;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  return bcrypt("", hash).size() == hash.size();
}

PasswordChecker::PasswordChecker(std::string hash, std::size_t max_pending)
    : hash_(std::move(hash)), max_pending_(max_pending) {}

PasswordChecker::~PasswordChecker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool PasswordChecker::check(std::string password, std::function<void(bool)> done) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_pending_) return false;
    queue_.emplace_back(std::move(password), std::move(done));
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  wake_.notify_one();
  return true;
}

void PasswordChecker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    auto [password, done] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    done(matches(password));
    lock.lock();
  }
}

bool PasswordChecker::matches(const std::string& password) {
  if (password.size() > kMaxPassword) return false;
  auto hashed = bcrypt(password, hash_);
  // The whole hash compared in constant time.
  return hashed.size() == hash_.size() &&
         CRYPTO_memcmp(hashed.data(), hash_.data(), hash_.size()) == 0;
}

std::string AdminSessions::create() {
  unsigned char bytes[8];
  net::random_bytes(bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (auto b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  std::lock_guard lock(mutex_);
  expiry_[id] = Clock::now() + kSessionLifetime;
  order_.push_back(id);
  while (order_.size() > kMaxSessions) {
    expiry_.erase(order_.front());
    order_.pop_front();
  }
  return id;
}

bool AdminSessions::contains(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = expiry_.find(id);
  return it != expiry_.end() && it->second > Clock::now();
}

}  // namespace switchboard::socketio::detail
