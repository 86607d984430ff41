#include "ws/message_budget.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace switchboard::ws::detail {
namespace {

TEST(MessageBudget, CountsWhatEveryAccountHoldsNow) {
  MessageBudget budget;
  int a_owner = 0, b_owner = 0;
  MessageBudget::Account a(budget, &a_owner), b(budget, &b_owner);
  a.set(100);
  b.set(50);
  EXPECT_EQ(budget.total(), 150u);
  a.set(300);  // a buffer grew
  EXPECT_EQ(budget.total(), 350u);
  a.set(0);  // its message arrived
  EXPECT_EQ(budget.total(), 50u);
  EXPECT_EQ(budget.holders(), 1u);
}

TEST(MessageBudget, NamesTheAccountHoldingTheMost) {
  MessageBudget budget;
  EXPECT_EQ(budget.largest(), nullptr);
  std::vector<int> owners(5);
  std::vector<std::unique_ptr<MessageBudget::Account>> accounts;
  const std::size_t held[] = {10, 70, 30, 70, 5};
  for (std::size_t i = 0; i < owners.size(); ++i) {
    accounts.push_back(std::make_unique<MessageBudget::Account>(budget, &owners[i]));
    accounts.back()->set(held[i]);
  }
  EXPECT_EQ(budget.largest()->owner(), &owners[1]);  // the first of the two largest
  // Shedding the largest until the rest fit under 50: the two of 70 go, in turn.
  std::vector<void*> shed;
  while (budget.total() > 50) {
    auto* most = budget.largest();
    shed.push_back(most->owner());
    most->set(0);
  }
  EXPECT_EQ(shed, (std::vector<void*>{&owners[1], &owners[3]}));
  EXPECT_EQ(budget.total(), 45u);
}

TEST(MessageBudget, AnAccountLeavesTheBudgetWhenDestroyed) {
  MessageBudget budget;
  int owner = 0, other_owner = 0;
  MessageBudget::Account other(budget, &other_owner);
  other.set(5);
  {
    MessageBudget::Account a(budget, &owner);
    a.set(1000);
    EXPECT_EQ(budget.largest()->owner(), &owner);
  }
  EXPECT_EQ(budget.total(), 5u);
  EXPECT_EQ(budget.largest()->owner(), &other_owner);
}

}  // namespace
}  // namespace switchboard::ws::detail
