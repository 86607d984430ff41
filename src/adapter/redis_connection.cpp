#include "adapter/redis_connection.hpp"

#include <algorithm>

#include <hiredis/hiredis.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include "switchboard/metrics/cells.hpp"

namespace switchboard::adapter::detail {

RedisReply to_reply(const void* hiredis_reply) {
  const auto* r = static_cast<const redisReply*>(hiredis_reply);
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::String;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::Status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::Error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::Integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::Array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(to_reply(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::Nil;
  }
  return out;
}

RedisConnection::RedisConnection(asio::io_context& context, const RedisOptions& options,
                                 Events events)
    : options_(options),
      events_(std::move(events)),
      resolver_(context),
      socket_(context),
      timer_(context),
      backoff_(options.reconnect_min) {}

RedisConnection::~RedisConnection() {
  if (reader_) redisReaderFree(reader_);
}

void RedisConnection::start() {
  if (started_ || closed_) return;
  started_ = true;
  connect();
}

void RedisConnection::close() {
  closed_ = true;
  if (connected_) metrics::add(metrics::Stat::RedisConnectionsClosed);
  connected_ = false;
  ++generation_;
  boost::system::error_code ignored;
  resolver_.cancel();
  socket_.close(ignored);
  timer_.cancel();
}

void RedisConnection::connect() {
  const std::uint64_t generation = ++generation_;
  if (reader_) redisReaderFree(reader_);
  reader_ = redisReaderCreate();
  pending_.clear();
  writing_.clear();
  auto self = shared_from_this();
  timer_.expires_after(options_.connect_timeout);
  timer_.async_wait([this, self, generation](boost::system::error_code ec) {
    if (ec || generation != generation_ || connected_) return;
    lost("connect timeout");
  });
  resolver_.async_resolve(options_.host, std::to_string(options_.port),
                          [this, self, generation](boost::system::error_code ec,
                                                   asio::ip::tcp::resolver::results_type results) {
                            if (generation != generation_) return;
                            if (ec) return lost("resolve " + options_.host + ": " + ec.message());
                            asio::async_connect(
                                socket_, results,
                                [this, self, generation](boost::system::error_code ec, auto&&) {
                                  if (generation != generation_) return;
                                  if (ec) return lost("connect: " + ec.message());
                                  on_connected(generation);
                                });
                          });
}

void RedisConnection::on_connected(std::uint64_t generation) {
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  // AUTH and SELECT first, under the connect timeout; the connection is up once both answered.
  handshake_ = 0;
  if (!options_.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!options_.username.empty()) auth.push_back(options_.username);
    auth.push_back(options_.password);
    append(auth);
    ++handshake_;
  }
  if (options_.database != 0) {
    append({"SELECT", std::to_string(options_.database)});
    ++handshake_;
  }
  read(generation);
  if (handshake_ > 0) return flush();
  ready();
}

void RedisConnection::ready() {
  timer_.cancel();
  connected_ = true;
  metrics::add(metrics::Stat::RedisConnectionsOpened);
  backoff_ = options_.reconnect_min;
  if (events_.on_connected) events_.on_connected();
}

void RedisConnection::read(std::uint64_t generation) {
  socket_.async_read_some(asio::buffer(buffer_), [this, self = shared_from_this(), generation](
                                                     boost::system::error_code ec, std::size_t n) {
    if (generation != generation_) return;
    if (ec) return lost(ec == asio::error::eof ? "connection closed by Redis" : ec.message());
    parse(n);
    if (generation == generation_) read(generation);
  });
}

void RedisConnection::parse(std::size_t n) {
  const std::uint64_t generation = generation_;
  if (redisReaderFeed(reader_, buffer_.data(), n) != REDIS_OK) return lost("RESP reader error");
  for (;;) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader_, &reply) != REDIS_OK) return lost("RESP protocol error");
    if (!reply) return;
    RedisReply converted = to_reply(reply);
    freeReplyObject(reply);
    if (handshake_ > 0) {
      // An error reply says why (WRONGPASS, NOAUTH, "DB index is out of range"); never the
      // password itself.
      if (converted.type == RedisReply::Type::Error) return lost(converted.str);
      if (--handshake_ == 0) ready();
      if (generation != generation_) return;
      continue;
    }
    if (events_.on_reply) events_.on_reply(std::move(converted));
    if (generation != generation_) return;  // the handler reset or closed the connection
  }
}

void RedisConnection::send(const std::vector<std::string>& args) {
  if (!connected_) return;
  append(args);
  flush();
}

void RedisConnection::append(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* command = nullptr;
  const int length =
      redisFormatCommandArgv(&command, static_cast<int>(args.size()), argv.data(), lengths.data());
  if (length < 0) return;
  pending_.append(command, static_cast<std::size_t>(length));
  redisFreeCommand(command);
}

void RedisConnection::flush() {
  if (!writing_.empty() || pending_.empty()) return;
  writing_.swap(pending_);
  asio::async_write(socket_, asio::buffer(writing_),
                    [this, self = shared_from_this(), generation = generation_](
                        boost::system::error_code ec, std::size_t) {
                      if (generation != generation_) return;
                      if (ec) return lost("write: " + ec.message());
                      writing_.clear();
                      flush();
                    });
}

void RedisConnection::reset(const std::string& why) {
  if (connected_) lost(why);
}

void RedisConnection::lost(const std::string& why) {
  if (closed_) return;
  ++generation_;
  if (connected_) metrics::add(metrics::Stat::RedisConnectionsClosed);
  connected_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
  if (events_.on_lost) events_.on_lost(why);
  schedule_reconnect();
}

void RedisConnection::schedule_reconnect() {
  if (closed_) return;
  timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  timer_.async_wait(
      [this, self = shared_from_this(), generation = generation_](boost::system::error_code ec) {
        if (ec || closed_ || generation != generation_) return;
        connect();
      });
}

}  // namespace switchboard::adapter::detail
