#include "switchboard/ws/group.hpp"

#include "switchboard/net/runtime.hpp"

namespace switchboard::ws {

Group::Group(net::Runtime& runtime, PrepareOptions prepare) : runtime_(runtime), prepare_(prepare) {
  for (unsigned i = 0; i < runtime.size(); ++i) locals_.push_back(std::make_unique<Local>());
}

Group::~Group() = default;

void Group::add(const ConnectionPtr& connection) {
  locals_.at(connection->shard().index())->members[connection->id()] = connection;
}

void Group::remove(Connection& connection) {
  locals_.at(connection.shard().index())->members.erase(connection.id());
}

void Group::publish(Opcode opcode, std::string_view payload, std::uint64_t except,
                    bool is_volatile) {
  // Framed (and compressed) once; the same bytes go to every shard and every socket.
  auto message = std::make_shared<const PreparedMessage>(opcode, payload, prepare_);
  runtime_.post_each([this, message, except, is_volatile](net::Shard& shard) {
    for (auto& [id, weak] : locals_[shard.index()]->members) {
      if (id == except) continue;
      if (auto c = weak.lock()) c->send(message, is_volatile);
    }
  });
}

std::size_t Group::local_size() const {
  auto* shard = net::Runtime::current();
  return shard ? locals_.at(shard->index())->members.size() : 0;
}

}  // namespace switchboard::ws
