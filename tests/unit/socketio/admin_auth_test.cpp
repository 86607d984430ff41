#include "socketio/admin_auth.hpp"

#include <future>

#include <gtest/gtest.h>

namespace switchboard::socketio::detail {
namespace {

// bcryptjs.hashSync("changeit", 4): the cheapest cost, so the tests spend no time hashing.
const std::string kHash = "$2a$04$80yQblnwSt2i9yXyZyrJJeGqCP.yYpXf0YNQc9I8pSSivXhMz5306";

std::string with_prefix(const std::string& hash, char variant) {
  auto other = hash;
  other[2] = variant;
  return other;
}

bool check_now(PasswordChecker& checker, const std::string& password) {
  std::promise<bool> result;
  EXPECT_TRUE(checker.check(password, [&](bool match) { result.set_value(match); }));
  return result.get_future().get();
}

TEST(AdminAuth, BcryptHashesOfEveryVariantAreValidAndNothingElseIs) {
  EXPECT_TRUE(valid_bcrypt_hash(kHash));
  EXPECT_TRUE(valid_bcrypt_hash(with_prefix(kHash, 'b')));
  EXPECT_TRUE(valid_bcrypt_hash(with_prefix(kHash, 'y')));
  for (const std::string& bad :
       {std::string("changeit"), std::string(), kHash.substr(0, 59), with_prefix(kHash, 'x'),
        std::string("$1$abcdefgh$2Kzt3aOPbdKN0o1VyHuE7."), "$2a$99" + kHash.substr(6)}) {
    EXPECT_FALSE(valid_bcrypt_hash(bad)) << bad;
  }
}

TEST(AdminAuth, TheCheckerAcceptsThePasswordOnlyForEveryVariant) {
  for (char variant : {'a', 'b', 'y'}) {
    PasswordChecker checker(with_prefix(kHash, variant), 4);
    EXPECT_TRUE(check_now(checker, "changeit")) << variant;
    EXPECT_FALSE(check_now(checker, "changeiT")) << variant;
    EXPECT_FALSE(check_now(checker, "")) << variant;
    EXPECT_FALSE(check_now(checker, std::string(2000, 'x'))) << variant;
  }
}

TEST(AdminAuth, CheckersBeyondTheQueueAreRefusedAtOnce) {
  PasswordChecker checker(kHash, 1);
  std::promise<void> started, release;
  auto released = release.get_future().share();
  // The first check holds the checker's thread; one more may wait, a third may not.
  ASSERT_TRUE(checker.check("changeit", [&, released](bool) {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  std::promise<bool> second;
  EXPECT_TRUE(checker.check("changeit", [&](bool match) { second.set_value(match); }));
  bool third_called = false;
  EXPECT_FALSE(checker.check("changeit", [&](bool) { third_called = true; }));
  release.set_value();
  EXPECT_TRUE(second.get_future().get());
  EXPECT_FALSE(third_called);
}

TEST(AdminAuth, SessionsAreKnownOnceCreatedAndOnlyTheNewestThousandKept) {
  AdminSessions sessions;
  auto first = sessions.create();
  EXPECT_EQ(first.size(), 16u);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(sessions.contains(first));
  EXPECT_FALSE(sessions.contains("0123456789abcdef"));
  std::string last;
  for (int i = 0; i < 1000; ++i) last = sessions.create();
  EXPECT_FALSE(sessions.contains(first));
  EXPECT_TRUE(sessions.contains(last));
}

}  // namespace
}  // namespace switchboard::socketio::detail
