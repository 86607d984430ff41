#include "switchboard/socketio/server.hpp"

#include <gtest/gtest.h>

#include "switchboard/net/runtime.hpp"

namespace switchboard::socketio {
namespace {

TEST(Server, ServerSideEmitWithoutAClusterReachesNoOtherServer) {
  net::Runtime runtime({.shards = 1, .handle_signals = false});
  Server io(runtime);
  bool own_handler_ran = false;
  io.on_server_side("hello", [&](Event&) { own_handler_ran = true; });
  io.server_side_emit("hello", "world");
  std::optional<std::vector<Args>> answers;
  io.server_side_emit_with_ack("ping", Args::of(1), std::chrono::seconds(1),
                               [&](std::optional<std::string> error, std::vector<Args> replies) {
                                 EXPECT_FALSE(error);
                                 answers = std::move(replies);
                               });
  ASSERT_TRUE(answers);
  EXPECT_TRUE(answers->empty());
  EXPECT_FALSE(own_handler_ran);
}

}  // namespace
}  // namespace switchboard::socketio
