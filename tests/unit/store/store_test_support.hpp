#pragma once
// Helpers for the store tests: a temporary data directory, opening a store, a gate that holds
// the store's worker inside a callback.

#include <stdlib.h>

#include <filesystem>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "switchboard/store/message_store.hpp"

namespace switchboard::store::test {

/// A fresh directory under the system's temporary directory, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sb_store_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  /// A path inside the directory.
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

/// Opens a store, throwing (which fails the test) when it cannot.
inline std::unique_ptr<MessageStore> open_store(Options options) {
  auto store = MessageStore::open(std::move(options));
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(store).value();
}

/// Holds the worker thread inside a callback until `release()`, so that a test can fill the
/// queue while the worker is busy.
class Gate {
 public:
  /// Called from the callback: says it is there, then waits.
  void hold() {
    entered_.set_value();
    released_.get_future().wait();
  }
  /// Waits until the worker is held.
  void wait_held() { entered_.get_future().wait(); }
  void release() { released_.set_value(); }

 private:
  std::promise<void> entered_, released_;
};

}  // namespace switchboard::store::test
