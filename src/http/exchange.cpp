#include "switchboard/http/exchange.hpp"

#include "http/connection.hpp"

namespace switchboard::http {

Request& Exchange::request() {
  return state_->request;
}
const Request& Exchange::request() const {
  return state_->request;
}

net::Shard& Exchange::shard() {
  return *state_->shard;
}

void Exchange::respond(Response response) {
  if (auto c = state_->connection) c->respond(*state_, std::move(response));
}

ResponseStream Exchange::start_stream(Response head) {
  if (auto c = state_->connection) c->start_stream(*state_, std::move(head));
  return ResponseStream(state_);
}

Upgraded Exchange::upgrade() {
  if (auto c = state_->connection) return c->upgrade(*state_);
  return {};
}

bool Exchange::answered() const {
  return state_->answered;
}
bool Exchange::closed() const {
  return state_->closed;
}

void Exchange::on_close(std::function<void()> fn) {
  if (state_->closed) {
    fn();
  } else if (!state_->finished) {
    state_->on_close.push_back(std::move(fn));
  }
}

net::SendResult ResponseStream::write(std::string piece, bool is_volatile) {
  if (!state_ || !state_->connection) return net::SendResult::Dropped;
  return state_->connection->write_piece(*state_, std::move(piece), is_volatile);
}

void ResponseStream::end() {
  if (state_ && state_->connection) state_->connection->end_stream(*state_);
}

bool ResponseStream::open() const {
  return state_ && state_->streaming && !state_->finished && !state_->closed;
}

void ResponseStream::on_close(std::function<void()> fn) {
  if (state_) Exchange(state_).on_close(std::move(fn));
}

}  // namespace switchboard::http
