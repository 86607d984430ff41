// Server::add_metrics: the gauges read from every shard when scraped (docs/metrics.md).
#include <functional>
#include <unordered_set>

#include "socketio/core.hpp"
#include "switchboard/metrics/registry.hpp"

namespace switchboard::socketio {

namespace detail {

namespace {

// What every shard tells of each namespace, merged as the shards answer.
struct Gathering {
  std::vector<std::shared_ptr<NamespaceCore>> namespaces;
  std::mutex mutex;
  std::vector<std::size_t> sockets;
  /// Hashes of the room names (a room on several shards counts once).
  std::vector<std::unordered_set<std::size_t>> rooms;
  unsigned waiting = 0;
  std::uint64_t handler_errors = 0;
  metrics::CollectDone done;

  std::vector<metrics::Family> families() const {
    metrics::Family s{"switchboard_socketio_sockets",
                      "Socket.IO sockets connected now, by namespace.",
                      metrics::Type::Gauge,
                      {}};
    metrics::Family r{"switchboard_socketio_rooms",
                      "Rooms with members now, by namespace (sockets' own rooms excepted).",
                      metrics::Type::Gauge,
                      {}};
    metrics::Family up{"switchboard_adapter_up",
                       "1 when the namespace's cluster adapter reaches its cluster, else 0.",
                       metrics::Type::Gauge,
                       {}};
    for (std::size_t i = 0; i < namespaces.size(); ++i) {
      metrics::Labels labels{{"namespace", namespaces[i]->name}};
      s.samples.push_back({s.name, labels, static_cast<double>(sockets[i])});
      r.samples.push_back({r.name, labels, static_cast<double>(rooms[i].size())});
      auto* adapter = namespaces[i]->adapter();
      if (auto healthy = adapter ? adapter->healthy() : std::nullopt) {
        up.samples.push_back({up.name, labels, *healthy ? 1.0 : 0.0});
      }
    }
    std::vector<metrics::Family> out{std::move(s), std::move(r)};
    if (!up.samples.empty()) out.push_back(std::move(up));
    out.push_back(
        {"switchboard_socketio_handler_errors_total",
         "Exceptions thrown by user code (handlers, middlewares, acks).",
         metrics::Type::Counter,
         {{"switchboard_socketio_handler_errors_total", {}, static_cast<double>(handler_errors)}}});
    return out;
  }
};

// On `shard`: counts its sockets and rooms of every namespace into the gathering.
void count_shard(Gathering& g, unsigned shard) {
  std::hash<std::string> hash;
  std::vector<std::size_t> sockets(g.namespaces.size());
  std::vector<std::vector<std::size_t>> rooms(g.namespaces.size());
  for (std::size_t i = 0; i < g.namespaces.size(); ++i) {
    auto& local = g.namespaces[i]->local(shard);
    sockets[i] = local.sockets.size();
    for (const auto& [room, members] : local.rooms) {
      if (!members.empty()) rooms[i].push_back(hash(room));
    }
    for (const auto& [room, members] : local.member_rooms) {
      if (!members.empty()) rooms[i].push_back(hash(room));
    }
  }
  metrics::CollectDone done;
  {
    std::lock_guard lock(g.mutex);
    for (std::size_t i = 0; i < sockets.size(); ++i) {
      g.sockets[i] += sockets[i];
      g.rooms[i].insert(rooms[i].begin(), rooms[i].end());
    }
    if (--g.waiting != 0) return;
    done = std::move(g.done);
  }
  done(g.families());
}

}  // namespace

}  // namespace detail

void Server::add_metrics(metrics::Registry& registry) {
  std::weak_ptr<detail::ServerCore> weak = core_;
  registry.add_collector([weak](metrics::CollectDone done) {
    auto core = weak.lock();
    if (!core) return done({});
    auto g = std::make_shared<detail::Gathering>();
    g->namespaces = core->namespaces();
    g->sockets.resize(g->namespaces.size());
    g->rooms.resize(g->namespaces.size());
    g->waiting = core->runtime.size();
    g->handler_errors = core->handler_errors.load();
    g->done = std::move(done);
    core->runtime.post_each([g](net::Shard& shard) { detail::count_shard(*g, shard.index()); });
  });
}

}  // namespace switchboard::socketio
