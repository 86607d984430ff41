#pragma once
/// The directory of a cluster's nodes in Redis, for Engine.IO without sticky sessions
/// (engineio::ServerOptions::nodes, docs/decisions/013-no-sticky-sessions.md): each node
/// announces `id -> host:port` under a key with a time to live, renewed by a heartbeat, and
/// looks the others up on demand (cached briefly). A node that dies is forgotten within the
/// time to live; one that stops deletes its key.
///
///   auto nodes = adapter::redis_node_directory(runtime, {.redis = *redis,
///                                                        .address = "10.0.0.5:8080"});
///   options.engine.nodes = nodes;

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "switchboard/adapter/redis_client.hpp"
#include "switchboard/engineio/server.hpp"

namespace switchboard::net {
class Runtime;
}

namespace switchboard::adapter {

/// How a node announces itself and finds the others.
struct NodeDirectoryOptions {
  /// Where Redis is (shared by every node of the cluster).
  RedisOptions redis;
  /// Where the other nodes reach this one over plain HTTP ("host:port").
  std::string address;
  /// When `address` is empty: called once, on shard 0 as the runtime starts (after listen),
  /// for it — a node listening on port 0 knows its port only then.
  std::function<std::string()> address_from;
  /// This node's id; empty: 8 random URL-safe characters, new at each start (a restarted
  /// node's old sessions are gone anyway).
  std::string id;
  /// Keys are `<key_prefix><id>`.
  std::string key_prefix = "switchboard:node:";
  /// The announcement's time to live: a node silent this long is forgotten.
  std::chrono::milliseconds ttl{10000};
  /// How often the announcement is renewed (well under ttl).
  std::chrono::milliseconds heartbeat{3000};

  /// How long a looked-up address is trusted without asking Redis again.
  std::chrono::milliseconds cache{3000};
  /// Called once, on shard 0, when Redis has taken the first announcement: from then on the
  /// other nodes find this node's sessions (a node says it is ready only after it).
  std::function<void()> on_announced;
};

/// The directory, with its Redis connection on shard 0 of `runtime` (started there when the
/// runtime runs). Thread-safe, as engineio::NodeDirectory requires.
std::shared_ptr<engineio::NodeDirectory> redis_node_directory(net::Runtime& runtime,
                                                              NodeDirectoryOptions options);

}  // namespace switchboard::adapter
