#include "ws/message_budget.hpp"

namespace switchboard::ws::detail {

void MessageBudget::Account::set(std::size_t held) {
  auto& b = budget_;
  b.total_ = b.total_ - held_ + held;
  held_ = held;
  if (held > 0 && slot_ == kNone) {
    slot_ = b.holders_.size();
    b.holders_.push_back(this);
  } else if (held == 0 && slot_ != kNone) {
    // Swap-remove: the last holder takes this one's slot.
    Account* last = b.holders_.back();
    b.holders_[slot_] = last;
    last->slot_ = slot_;
    b.holders_.pop_back();
    slot_ = kNone;
  }
}

MessageBudget::Account* MessageBudget::largest() const {
  Account* most = nullptr;
  for (Account* a : holders_) {
    if (!most || a->held_ > most->held_) most = a;
  }
  return most;
}

}  // namespace switchboard::ws::detail
