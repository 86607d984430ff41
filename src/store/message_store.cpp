#include "switchboard/store/message_store.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <variant>

#include "store/history_db.hpp"
#include "switchboard/store/validation.hpp"

namespace switchboard::store {
namespace {

struct AppendRequest {
  std::string room, user, text;
  MessageStore::MessageCallback done;
  std::uint64_t user_id = 0;
};
struct UserWriteRequest {
  std::uint64_t id;  // 0: create a user with `token_hash`
  std::string name, token_hash;
  MessageStore::UserCallback done;
};
struct FindUserRequest {
  std::string token_hash;
  MessageStore::UserCallback done;
};
struct EnsureRoomRequest {
  std::string name;
  std::size_t max_rooms;
  MessageStore::RoomCallback done;
};
struct DeleteRoomRequest {
  std::string name;
  bool only_if_empty;
  MessageStore::DeleteCallback done;
};
struct ReadRequest {
  bool before;  // history (id < bound, newest first) or after (id > bound)
  std::string room;
  std::uint64_t id;
  std::size_t limit;
  MessageStore::MessagesCallback done;
};
struct RoomsRequest {
  MessageStore::RoomsCallback done;
  std::int64_t empty_before = -1;  // >= 0: only rooms without messages created before it
};
struct FindRoomRequest {
  std::string name;
  MessageStore::RoomCallback done;
};
// The writes first (is_write).
using Request = std::variant<AppendRequest, EnsureRoomRequest, DeleteRoomRequest, UserWriteRequest,
                             ReadRequest, RoomsRequest, FindRoomRequest, FindUserRequest>;

bool is_write(const Request& r) {
  return r.index() <= 3;
}

// What a write produced, kept until the transaction's fate is known.
using Outcome = std::variant<Result<Message>, Result<Room>, Result<bool>, Result<User>>;

const Error* error_of(const Outcome& o) {
  return std::visit([](const auto& r) { return r ? nullptr : &r.error(); }, o);
}

// Errors that concern one request only; anything else means the transaction is lost.
bool is_own_error(const Error& e) {
  return e.code == Errc::RoomNotFound || e.code == Errc::TooManyRooms ||
         e.code == Errc::UserNotFound;
}

// The answer to a write whose transaction was lost.
Outcome failure(const Request& r, const Error& e) {
  if (std::holds_alternative<AppendRequest>(r)) return Result<Message>(e);
  if (std::holds_alternative<EnsureRoomRequest>(r)) return Result<Room>(e);
  if (std::holds_alternative<UserWriteRequest>(r)) return Result<User>(e);
  return Result<bool>(e);
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

template <class T, class Submit>
Result<T> wait_for(Submit submit) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  if (std::error_code ec = submit([&promise](Result<T> r) { promise.set_value(std::move(r)); })) {
    return Error{ec, ec.message()};
  }
  return future.get();
}

}  // namespace

struct MessageStore::Impl {
  Impl(std::string path, std::size_t max_queue, detail::HistoryDb db)
      : path(std::move(path)), max_queue(max_queue), db(std::move(db)) {}

  std::error_code submit(Request r);
  void run();
  void commit_writes(const std::vector<Request*>& writes);
  void answer_write(Request& r, Outcome outcome);
  void serve_read(Request& r);

  const std::string path;
  const std::size_t max_queue;
  detail::HistoryDb db;  // the worker's only

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Request> queue;  // guarded by mutex
  bool closing = false;       // guarded by mutex

  std::mutex close_mutex;  // one close() at a time
  std::thread worker;

  std::atomic<std::uint64_t> transactions{0}, appended{0}, failed{0}, overloaded{0};
};

std::error_code MessageStore::Impl::submit(Request r) {
  // A missing callback is a programmer error, reported on the caller's thread.
  if (!std::visit([](const auto& req) { return static_cast<bool>(req.done); }, r)) {
    throw std::invalid_argument("switchboard::store: a request needs a callback");
  }
  std::lock_guard lock(mutex);
  if (closing) return Errc::Closed;
  if (queue.size() >= max_queue) {
    overloaded.fetch_add(1, std::memory_order_relaxed);
    return Errc::Overloaded;
  }
  queue.push_back(std::move(r));
  // The worker sleeps only on an empty queue.
  if (queue.size() == 1) wake.notify_one();
  return {};
}

void MessageStore::Impl::run() {
  pthread_setname_np(pthread_self(), "sb-store");
  std::deque<Request> batch;
  std::vector<Request*> writes;
  for (;;) {
    {
      std::unique_lock lock(mutex);
      wake.wait(lock, [&] { return !queue.empty() || closing; });
      if (queue.empty()) return;  // closing, and everything accepted has been answered
      batch.swap(queue);
    }
    // Group commit: every write taken shares one transaction, then the reads see them all.
    writes.clear();
    for (Request& r : batch) {
      if (is_write(r)) writes.push_back(&r);
    }
    if (!writes.empty()) commit_writes(writes);
    for (Request& r : batch) {
      if (!is_write(r)) serve_read(r);
    }
    batch.clear();
  }
}

void MessageStore::Impl::commit_writes(const std::vector<Request*>& writes) {
  std::vector<Outcome> outcomes;
  outcomes.reserve(writes.size());
  std::optional<Error> lost = db.begin(now_ms());
  for (std::size_t i = 0; !lost && i < writes.size(); ++i) {
    Request& r = *writes[i];
    if (auto* a = std::get_if<AppendRequest>(&r)) {
      outcomes.emplace_back(db.insert_message(a->room, a->user, a->text, a->user_id));
    } else if (auto* e = std::get_if<EnsureRoomRequest>(&r)) {
      outcomes.emplace_back(db.ensure_room(e->name, e->max_rooms));
    } else if (auto* u = std::get_if<UserWriteRequest>(&r)) {
      outcomes.emplace_back(u->id == 0 ? db.insert_user(u->name, u->token_hash)
                                       : db.rename_user(u->id, u->name));
    } else {
      auto& d = std::get<DeleteRoomRequest>(r);
      outcomes.emplace_back(db.delete_room(d.name, d.only_if_empty));
    }
    if (const Error* e = error_of(outcomes.back()); e && !is_own_error(*e)) lost = *e;
  }
  if (lost) {
    db.rollback();
  } else {
    lost = db.commit();
  }
  if (!lost) transactions.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < writes.size(); ++i) {
    // When the transaction is lost, a request keeps its own error; the others share its error.
    const bool keep = i < outcomes.size() && (!lost || error_of(outcomes[i]) != nullptr);
    answer_write(*writes[i], keep ? std::move(outcomes[i]) : failure(*writes[i], *lost));
  }
}

void MessageStore::Impl::answer_write(Request& r, Outcome outcome) {
  if (error_of(outcome)) {
    failed.fetch_add(1, std::memory_order_relaxed);
  } else if (std::holds_alternative<AppendRequest>(r)) {
    appended.fetch_add(1, std::memory_order_relaxed);
  }
  if (auto* a = std::get_if<AppendRequest>(&r)) {
    a->done(std::get<Result<Message>>(std::move(outcome)));
  } else if (auto* e = std::get_if<EnsureRoomRequest>(&r)) {
    e->done(std::get<Result<Room>>(std::move(outcome)));
  } else if (auto* u = std::get_if<UserWriteRequest>(&r)) {
    u->done(std::get<Result<User>>(std::move(outcome)));
  } else {
    std::get<DeleteRoomRequest>(r).done(std::get<Result<bool>>(std::move(outcome)));
  }
}

void MessageStore::Impl::serve_read(Request& r) {
  if (auto* read = std::get_if<ReadRequest>(&r)) {
    read->done(read->before ? db.history(read->room, read->id, read->limit)
                            : db.after(read->room, read->id, read->limit));
  } else if (auto* rooms = std::get_if<RoomsRequest>(&r)) {
    rooms->done(rooms->empty_before >= 0 ? db.empty_rooms(rooms->empty_before) : db.rooms());
  } else if (auto* user = std::get_if<FindUserRequest>(&r)) {
    user->done(db.find_user(user->token_hash));
  } else {
    auto& find = std::get<FindRoomRequest>(r);
    find.done(db.find_room(find.name));
  }
}

Result<std::unique_ptr<MessageStore>> MessageStore::open(Options options) {
  auto db = detail::HistoryDb::open(options.dir, options.max_db_bytes);
  if (!db) return std::move(db).error();
  std::string path = (std::filesystem::path(options.dir) / "switchboard.db").string();
  auto impl = std::make_unique<Impl>(std::move(path), options.max_queue, std::move(*db));
  impl->worker = std::thread([p = impl.get()] { p->run(); });
  return std::unique_ptr<MessageStore>(new MessageStore(std::move(impl)));
}

MessageStore::MessageStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MessageStore::~MessageStore() {
  close();
}

std::error_code MessageStore::append(std::string room, std::string user, std::string text,
                                     MessageCallback done) {
  if (!valid_room_name(room)) return Errc::InvalidRoomName;
  auto name = normalize_name(user);
  if (!name) return Errc::InvalidName;
  if (std::error_code ec = validate_text(text)) return ec;
  return impl_->submit(
      AppendRequest{std::move(room), std::move(*name), std::move(text), std::move(done)});
}

std::error_code MessageStore::append(std::string room, std::uint64_t user_id, std::string user,
                                     std::string text, MessageCallback done) {
  if (!valid_room_name(room)) return Errc::InvalidRoomName;
  auto name = normalize_name(user);
  if (!name) return Errc::InvalidName;
  if (std::error_code ec = validate_text(text)) return ec;
  return impl_->submit(
      AppendRequest{std::move(room), std::move(*name), std::move(text), std::move(done), user_id});
}

std::error_code MessageStore::create_user(std::string name, std::string token_hash,
                                          UserCallback done) {
  auto normal = normalize_name(name);
  if (!normal) return Errc::InvalidName;
  if (token_hash.empty()) throw std::invalid_argument("switchboard::store: an empty token hash");
  return impl_->submit(
      UserWriteRequest{0, std::move(*normal), std::move(token_hash), std::move(done)});
}

std::error_code MessageStore::rename_user(std::uint64_t id, std::string name, UserCallback done) {
  auto normal = normalize_name(name);
  if (!normal) return Errc::InvalidName;
  if (id == 0) return Errc::UserNotFound;
  return impl_->submit(UserWriteRequest{id, std::move(*normal), {}, std::move(done)});
}

std::error_code MessageStore::find_user(std::string token_hash, UserCallback done) {
  return impl_->submit(FindUserRequest{std::move(token_hash), std::move(done)});
}

Result<User> MessageStore::create_user_sync(std::string name, std::string token_hash) {
  return wait_for<User>([&](UserCallback cb) {
    return create_user(std::move(name), std::move(token_hash), std::move(cb));
  });
}

Result<User> MessageStore::rename_user_sync(std::uint64_t id, std::string name) {
  return wait_for<User>(
      [&](UserCallback cb) { return rename_user(id, std::move(name), std::move(cb)); });
}

Result<User> MessageStore::find_user_sync(std::string token_hash) {
  return wait_for<User>(
      [&](UserCallback cb) { return find_user(std::move(token_hash), std::move(cb)); });
}

std::error_code MessageStore::ensure_room(std::string name, std::size_t max_rooms,
                                          RoomCallback done) {
  if (!valid_room_name(name)) return Errc::InvalidRoomName;
  return impl_->submit(EnsureRoomRequest{std::move(name), max_rooms, std::move(done)});
}

std::error_code MessageStore::delete_room(std::string name, bool only_if_empty,
                                          DeleteCallback done) {
  if (!valid_room_name(name)) return Errc::InvalidRoomName;
  return impl_->submit(DeleteRoomRequest{std::move(name), only_if_empty, std::move(done)});
}

std::error_code MessageStore::find_room(std::string name, RoomCallback done) {
  if (!valid_room_name(name)) return Errc::InvalidRoomName;
  return impl_->submit(FindRoomRequest{std::move(name), std::move(done)});
}

std::error_code MessageStore::empty_rooms(std::int64_t created_before_ms, RoomsCallback done) {
  return impl_->submit(RoomsRequest{std::move(done), std::max<std::int64_t>(0, created_before_ms)});
}

std::error_code MessageStore::history(std::string room, std::uint64_t before_id, std::size_t limit,
                                      MessagesCallback done) {
  if (!valid_room_name(room)) return Errc::InvalidRoomName;
  if (limit < 1 || limit > max_read_limit) return Errc::InvalidLimit;
  return impl_->submit(ReadRequest{true, std::move(room), before_id, limit, std::move(done)});
}

std::error_code MessageStore::after(std::string room, std::uint64_t after_id, std::size_t limit,
                                    MessagesCallback done) {
  if (!valid_room_name(room)) return Errc::InvalidRoomName;
  if (limit < 1 || limit > max_read_limit) return Errc::InvalidLimit;
  return impl_->submit(ReadRequest{false, std::move(room), after_id, limit, std::move(done)});
}

std::error_code MessageStore::rooms(RoomsCallback done) {
  return impl_->submit(RoomsRequest{std::move(done)});
}

Result<Message> MessageStore::append_sync(std::string room, std::string user, std::string text) {
  return wait_for<Message>([&](MessageCallback cb) {
    return append(std::move(room), std::move(user), std::move(text), std::move(cb));
  });
}

Result<Room> MessageStore::ensure_room_sync(std::string name, std::size_t max_rooms) {
  return wait_for<Room>(
      [&](RoomCallback cb) { return ensure_room(std::move(name), max_rooms, std::move(cb)); });
}

Result<bool> MessageStore::delete_room_sync(std::string name, bool only_if_empty) {
  return wait_for<bool>([&](DeleteCallback cb) {
    return delete_room(std::move(name), only_if_empty, std::move(cb));
  });
}

Result<std::vector<Message>> MessageStore::history_sync(std::string room, std::uint64_t before_id,
                                                        std::size_t limit) {
  return wait_for<std::vector<Message>>([&](MessagesCallback cb) {
    return history(std::move(room), before_id, limit, std::move(cb));
  });
}

Result<std::vector<Message>> MessageStore::after_sync(std::string room, std::uint64_t after_id,
                                                      std::size_t limit) {
  return wait_for<std::vector<Message>>(
      [&](MessagesCallback cb) { return after(std::move(room), after_id, limit, std::move(cb)); });
}

Result<std::vector<Room>> MessageStore::rooms_sync() {
  return wait_for<std::vector<Room>>([&](RoomsCallback cb) { return rooms(std::move(cb)); });
}

void MessageStore::close() {
  std::lock_guard once(impl_->close_mutex);
  {
    std::lock_guard lock(impl_->mutex);
    impl_->closing = true;
  }
  impl_->wake.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
}

Stats MessageStore::stats() const {
  return {impl_->transactions.load(std::memory_order_relaxed),
          impl_->appended.load(std::memory_order_relaxed),
          impl_->failed.load(std::memory_order_relaxed),
          impl_->overloaded.load(std::memory_order_relaxed)};
}

const std::string& MessageStore::path() const {
  return impl_->path;
}

}  // namespace switchboard::store
