#pragma once
// Private: the bytes the WebSocket connections of one shard hold in messages still arriving,
// against a budget (sans-I/O: it names who holds the most; the connections close themselves).

#include <cstddef>
#include <vector>

namespace switchboard::ws::detail {

/// One per shard (net::Shard::local), so it needs no lock. Counting is O(1) per update; the
/// search for the largest holder runs only once the budget is exceeded.
class MessageBudget {
 public:
  /// One connection's share: a member of the connection, which tells it how many bytes its
  /// decoder holds after every read. Removes itself when destroyed.
  class Account {
   public:
    Account(MessageBudget& budget, void* owner) : budget_(budget), owner_(owner) {}
    ~Account() { set(0); }
    Account(const Account&) = delete;
    Account& operator=(const Account&) = delete;

    /// The bytes the connection holds now (0 between messages).
    void set(std::size_t held);
    std::size_t held() const { return held_; }
    /// The connection this account belongs to.
    void* owner() const { return owner_; }
    /// The shard's budget this account counts in.
    MessageBudget& budget() const { return budget_; }

   private:
    friend class MessageBudget;
    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    MessageBudget& budget_;
    void* owner_;
    std::size_t held_ = 0;
    std::size_t slot_ = kNone;  // index in holders_ while held_ > 0
  };

  MessageBudget() = default;
  MessageBudget(const MessageBudget&) = delete;
  MessageBudget& operator=(const MessageBudget&) = delete;

  /// Bytes held by every account.
  std::size_t total() const { return total_; }
  /// Accounts holding anything.
  std::size_t holders() const { return holders_.size(); }
  /// The account holding the most, or null when none holds anything.
  Account* largest() const;

 private:
  std::vector<Account*> holders_;
  std::size_t total_ = 0;
};

}  // namespace switchboard::ws::detail
