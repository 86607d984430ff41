// The chat's History over store::MessageStore.
#include "history.hpp"

#include "switchboard/store/message_store.hpp"

namespace switchboard::app {

Failure failure_of(const std::error_code& code, std::string message) {
  using store::Errc;
  using Kind = Failure::Kind;
  if (code.category() == store::error_category()) {
    switch (static_cast<Errc>(code.value())) {
      case Errc::InvalidRoomName:
      case Errc::InvalidName:
      case Errc::InvalidUtf8:
      case Errc::EmptyText:
      case Errc::TextTooLong:
      case Errc::InvalidLimit:
        return {Kind::Invalid, std::move(message)};
      case Errc::RoomNotFound:
      case Errc::UserNotFound:
        return {Kind::NotFound, std::move(message)};
      case Errc::TooManyRooms:
        return {Kind::Full, std::move(message)};
      case Errc::Overloaded:
        return {Kind::Unavailable, std::move(message), std::chrono::seconds(1)};
      case Errc::Unavailable:
        // Redis away: the client reconnects within its back-off (at most 2 s).
        return {Kind::Unavailable, std::move(message), std::chrono::seconds(2)};
      default:
        break;
    }
  }
  // Disk full, unwritable, corrupt, closed, I/O: the store cannot take it now. Not the
  // client's fault; it may work later (an operator frees space).
  return {Kind::Unavailable, std::move(message), std::chrono::seconds(5)};
}

namespace {

Failure failure_of(const store::Error& e) {
  return app::failure_of(e.code, e.message);
}

Failure failure_of(const std::error_code& ec) {
  return app::failure_of(ec, ec.message());
}

ChatMessage from_store(store::Message m) {
  return {m.id, std::move(m.room), std::move(m.user), std::move(m.text), m.ts, m.user_id};
}

std::vector<ChatMessage> from_store(std::vector<store::Message> list) {
  std::vector<ChatMessage> out;
  out.reserve(list.size());
  for (auto& m : list) out.push_back(from_store(std::move(m)));
  return out;
}

class StoreHistory final : public History {
 public:
  StoreHistory(std::unique_ptr<store::MessageStore> store, std::size_t max_rooms)
      : store_(std::move(store)), max_rooms_(max_rooms) {}

  void close() override { store_->close(); }

  void append(std::string room, Author author, std::string text,
              std::function<void(Error, ChatMessage)> done) override {
    auto ec = store_->append(std::move(room), author.id, std::move(author.name), std::move(text),
                             [done](store::Result<store::Message> r) {
                               if (!r) return done(failure_of(r.error()), {});
                               done(std::nullopt, from_store(std::move(r).value()));
                             });
    if (ec) done(failure_of(ec), {});
  }

  void create_user(std::string name, std::string token_hash,
                   std::function<void(Error, Author)> done) override {
    auto ec = store_->create_user(std::move(name), std::move(token_hash), user(done));
    if (ec) done(failure_of(ec), {});
  }

  void rename_user(std::uint64_t id, std::string name,
                   std::function<void(Error, Author)> done) override {
    auto ec = store_->rename_user(id, std::move(name), user(done));
    if (ec) done(failure_of(ec), {});
  }

  void find_user(std::string token_hash, std::function<void(Error, Author)> done) override {
    auto ec = store_->find_user(std::move(token_hash), user(done));
    if (ec) done(failure_of(ec), {});
  }

  void recent(std::string room, std::uint64_t before, std::size_t limit,
              MessagesCallback done) override {
    auto ec = store_->history(std::move(room), before, std::clamp<std::size_t>(limit, 1, 200),
                              messages(done));
    if (ec) done(failure_of(ec), {});
  }

  void after(std::string room, std::uint64_t after, std::size_t limit,
             MessagesCallback done) override {
    auto ec = store_->after(std::move(room), after, std::clamp<std::size_t>(limit, 1, 200),
                            messages(done));
    if (ec) done(failure_of(ec), {});
  }

  void rooms(std::function<void(Error, std::vector<std::string>)> done) override {
    auto ec = store_->rooms([done](store::Result<std::vector<store::Room>> r) {
      if (!r) return done(failure_of(r.error()), {});
      std::vector<std::string> names;
      for (auto& room : *r) names.push_back(std::move(room.name));
      done(std::nullopt, std::move(names));
    });
    if (ec) done(failure_of(ec), {});
  }

  void ensure_room(std::string room, std::function<void(Error)> done) override {
    auto ec = store_->ensure_room(
        std::move(room), max_rooms_,
        [done](store::Result<store::Room> r) { done(r ? Error() : Error(failure_of(r.error()))); });
    if (ec) done(failure_of(ec));
  }

  void find_room(std::string room, std::function<void(Error)> done) override {
    auto ec = store_->find_room(std::move(room), [done](store::Result<store::Room> r) {
      done(r ? Error() : Error(failure_of(r.error())));
    });
    if (ec) done(failure_of(ec));
  }

  void delete_room(std::string room, bool only_if_empty,
                   std::function<void(Error, bool)> done) override {
    auto ec = store_->delete_room(std::move(room), only_if_empty, [done](store::Result<bool> r) {
      if (!r) return done(failure_of(r.error()), false);
      done(std::nullopt, *r);
    });
    if (ec) done(failure_of(ec), false);
  }

  void empty_rooms(std::int64_t created_before_ms,
                   std::function<void(Error, std::vector<std::string>)> done) override {
    auto ec =
        store_->empty_rooms(created_before_ms, [done](store::Result<std::vector<store::Room>> r) {
          if (!r) return done(failure_of(r.error()), {});
          std::vector<std::string> names;
          for (auto& room : *r) names.push_back(std::move(room.name));
          done(std::nullopt, std::move(names));
        });
    if (ec) done(failure_of(ec), {});
  }

 private:
  static store::MessageStore::UserCallback user(std::function<void(Error, Author)> done) {
    return [done = std::move(done)](store::Result<store::User> r) {
      if (!r) return done(failure_of(r.error()), {});
      done(std::nullopt, Author{r->id, std::move(r->name)});
    };
  }

  static store::MessageStore::MessagesCallback messages(MessagesCallback done) {
    return [done = std::move(done)](store::Result<std::vector<store::Message>> r) {
      // A room never written to has no history yet: an empty list, not an error.
      if (!r) {
        if (r.error().code == store::Errc::RoomNotFound) return done(std::nullopt, {});
        return done(failure_of(r.error()), {});
      }
      done(std::nullopt, from_store(std::move(r).value()));
    };
  }

  std::unique_ptr<store::MessageStore> store_;
  std::size_t max_rooms_;
};

}  // namespace

std::unique_ptr<History> History::open(const std::string& dir, std::size_t max_rooms,
                                       std::uint64_t max_db_bytes, std::string& error) {
  auto store = store::MessageStore::open({.dir = dir, .max_db_bytes = max_db_bytes});
  if (!store) {
    error = store.error().message;
    return nullptr;
  }
  return std::make_unique<StoreHistory>(std::move(store).value(), max_rooms);
}

}  // namespace switchboard::app
