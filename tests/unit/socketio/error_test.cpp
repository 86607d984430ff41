#include <switchboard/socketio/error.hpp>

#include <gtest/gtest.h>

namespace switchboard::socketio {
namespace {

TEST(SocketIoError, EveryValueIsAFailureWithAMessage) {
  for (int v = static_cast<int>(Error::EmptyPacket); v <= static_cast<int>(Error::UnexpectedBinary);
       ++v) {
    const boost::system::error_code ec = static_cast<Error>(v);
    EXPECT_TRUE(ec.failed());
    EXPECT_STREQ(ec.category().name(), "socketio");
    EXPECT_NE(ec.message(), "unknown Socket.IO error") << v;
  }
}

}  // namespace
}  // namespace switchboard::socketio
