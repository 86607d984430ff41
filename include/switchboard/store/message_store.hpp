#pragma once
/// The durable chat history: SQLite in WAL mode, written by one thread with group commit.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "switchboard/store/error.hpp"
#include "switchboard/store/message.hpp"

namespace switchboard::store {

/// How a `MessageStore` is opened. Set with designated initialisers.
struct Options {
  /// Data directory; created if missing. The database is `<dir>/switchboard.db`.
  std::string dir = "data";
  /// Most requests (appends and reads) waiting for the worker; past it they fail at once with
  /// `Errc::Overloaded`.
  std::size_t max_queue = 10'000;
  /// Cap on the database size in bytes, reported as `Errc::DiskFull` (0: only the disk's).
  std::uint64_t max_db_bytes = 0;
};

/// Counters for monitoring; each read is a snapshot.
struct Stats {
  std::uint64_t transactions = 0;  ///< Committed write transactions (each one fsync).
  std::uint64_t appended = 0;      ///< Messages committed.
  std::uint64_t failed = 0;        ///< Accepted writes answered with an error.
  std::uint64_t overloaded = 0;    ///< Requests refused because the queue was full.
};

/// Durable rooms and messages, safe to use from any thread.
///
/// The store owns one worker thread and one SQLite connection. Requests are queued and return
/// at once; the worker takes everything queued, runs all its writes in ONE transaction (one
/// fsync for many appends), then answers each write, then runs the reads. Callbacks run ON THE
/// WORKER THREAD, once each, in queue order; they must not throw, block for long or call a
/// `*_sync` function (post the result to your own thread instead). Because reads run on the
/// same thread after the writes queued before them, a read sees every write whose callback
/// has run (read-your-writes).
///
/// A request that cannot be accepted — invalid argument, full queue, closed store — returns
/// its error at once, on the caller's thread, and its callback is never called. An accepted
/// request always gets exactly one callback, even when the store closes. An empty callback is a
/// programmer error: `std::invalid_argument`.
///
///     auto store = MessageStore::open({.dir = "./data"});
///     if (!store) { std::cerr << store.error().message << '\n'; return 1; }
///     auto ec = (*store)->append("lobby", "Ada", "hello", [](Result<Message> m) { /* post */ });
class MessageStore {
 public:
  /// Answers an append: the committed message, or why not (on the worker thread).
  using MessageCallback = std::function<void(Result<Message>)>;
  /// Answers a read of messages, oldest first.
  using MessagesCallback = std::function<void(Result<std::vector<Message>>)>;
  /// Answers a room request with the room.
  using RoomCallback = std::function<void(Result<Room>)>;
  /// Answers a read of rooms, by name.
  using RoomsCallback = std::function<void(Result<std::vector<Room>>)>;
  /// True when the room was deleted, false when it was missing or (only_if_empty) not empty.
  using DeleteCallback = std::function<void(Result<bool>)>;
  /// Answers a user request with the user.
  using UserCallback = std::function<void(Result<User>)>;

  /// Most messages one read returns.
  static constexpr std::size_t max_read_limit = 200;

  /// Opens (creating and migrating) the database and starts the worker. Blocks on disk: call
  /// at start-up. Errors name the file and the cause: `Unwritable`, `Corrupt`, `DiskFull`,
  /// `UnsupportedSchema`, `Io`.
  static Result<std::unique_ptr<MessageStore>> open(Options options);

  /// Closes (see `close`).
  ~MessageStore();
  MessageStore(const MessageStore&) = delete;
  MessageStore& operator=(const MessageStore&) = delete;

  /// Queues a message for `room` (which must exist) from `user` (normalised with
  /// `normalize_name`). `done` gets the stored message with its id and timestamp once
  /// committed, or `RoomNotFound`, `DiskFull`, `Io`... Returns at once: an empty code when
  /// accepted, else `InvalidRoomName`, `InvalidName`, `InvalidUtf8`, `EmptyText`,
  /// `TextTooLong`, `Overloaded` or `Closed`.
  [[nodiscard]] std::error_code append(std::string room, std::string user, std::string text,
                                       MessageCallback done);

  /// The same, by registered user `user_id` (0: a guest) whose display name is `user`.
  [[nodiscard]] std::error_code append(std::string room, std::uint64_t user_id, std::string user,
                                       std::string text, MessageCallback done);

  /// Queues the creation of a user named `name` (normalised) who is found again by
  /// `token_hash` (the caller's hash of a random secret; the store never sees the secret).
  /// `done` gets the user with a new id. Returns like `append` (`InvalidName`).
  [[nodiscard]] std::error_code create_user(std::string name, std::string token_hash,
                                            UserCallback done);
  /// Queues a change of user `id`'s display name; `done` gets the user, or `UserNotFound`.
  [[nodiscard]] std::error_code rename_user(std::uint64_t id, std::string name, UserCallback done);
  /// Queues a read of the user whose token hashes to `token_hash`: `done` gets the user, or
  /// `UserNotFound`. Returns like `append`.
  [[nodiscard]] std::error_code find_user(std::string token_hash, UserCallback done);

  /// Queues the creation of room `name` if missing; `done` gets the room (existing or new),
  /// or `TooManyRooms` when `max_rooms` rooms exist already. Returns like `append`.
  [[nodiscard]] std::error_code ensure_room(std::string name, std::size_t max_rooms,
                                            RoomCallback done);

  /// Queues the deletion of room `name` and its messages; with `only_if_empty`, only when it
  /// has no message (checked in the write transaction, so a message committed before it
  /// keeps the room). Returns like `ensure_room`.
  [[nodiscard]] std::error_code delete_room(std::string name, bool only_if_empty,
                                            DeleteCallback done);

  /// Queues a read of room `name`: `done` gets it, or `RoomNotFound`. Returns like `append`.
  [[nodiscard]] std::error_code find_room(std::string name, RoomCallback done);

  /// Queues a read of the rooms without any message created before `created_before_ms`
  /// (at most 1000, by name). Returns like `append`.
  [[nodiscard]] std::error_code empty_rooms(std::int64_t created_before_ms, RoomsCallback done);

  /// Queues a read of up to `limit` (1..200) messages of `room` with id < `before_id`
  /// (0: the newest), oldest first; page back with `before_id = front().id`.
  /// `done` gets `RoomNotFound` for a room never created. Returns like `append`.
  [[nodiscard]] std::error_code history(std::string room, std::uint64_t before_id,
                                        std::size_t limit, MessagesCallback done);

  /// Queues a read of up to `limit` (1..200) messages of `room` with id > `after_id`, oldest
  /// first (catching up after a reconnect). Returns like `history`.
  [[nodiscard]] std::error_code after(std::string room, std::uint64_t after_id, std::size_t limit,
                                      MessagesCallback done);

  /// Queues a read of every room, by name. Returns like `append`.
  [[nodiscard]] std::error_code rooms(RoomsCallback done);

  /// Blocking forms for start-up and tests: queue, then wait for the answer. Never call them
  /// from a callback (the worker would wait for itself) or from a shard's event loop.
  Result<Message> append_sync(std::string room, std::string user, std::string text);
  /// Blocking `ensure_room`.
  Result<Room> ensure_room_sync(std::string name, std::size_t max_rooms);
  /// Blocking `delete_room`.
  Result<bool> delete_room_sync(std::string name, bool only_if_empty);
  /// Blocking `history`.
  Result<std::vector<Message>> history_sync(std::string room, std::uint64_t before_id,
                                            std::size_t limit);
  /// Blocking `after`.
  Result<std::vector<Message>> after_sync(std::string room, std::uint64_t after_id,
                                          std::size_t limit);
  /// Blocking `create_user`, `rename_user` and `find_user`.
  Result<User> create_user_sync(std::string name, std::string token_hash);
  Result<User> rename_user_sync(std::uint64_t id, std::string name);
  Result<User> find_user_sync(std::string token_hash);
  /// Blocking `rooms`.
  Result<std::vector<Room>> rooms_sync();

  /// Stops accepting requests (they return `Closed`), lets the worker answer everything
  /// already queued — every accepted append is committed or gets an error — and joins it.
  /// Idempotent; blocks on disk. Not from a callback.
  void close();

  /// The counters so far. Any thread.
  Stats stats() const;

  /// The database file, `<dir>/switchboard.db`.
  const std::string& path() const;

 private:
  struct Impl;
  explicit MessageStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::store
