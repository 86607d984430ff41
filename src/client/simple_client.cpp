#include "switchboard/client/simple_client.hpp"

#include "switchboard/client/client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace switchboard::client {

namespace asio = boost::asio;
using boost::system::error_code;

struct SimpleClient::Impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  // Owned and used on the io thread only.
  std::unique_ptr<Client> client;
  std::shared_ptr<Socket> socket;
  // Shared with the caller's thread.
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::deque<Event> events;
  bool connected = false;
  bool refused = false;
  std::string sid;
  std::string error;
  std::optional<Transport> transport;

  // Runs `f` on the io thread and waits for its result.
  template <class F>
  auto run(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto future = task.get_future();
    asio::post(io, [&task] { task(); });
    return future.get();
  }

  void close_client() {
    if (client) client->close();
    client.reset();
    socket.reset();
  }
};

SimpleClient::SimpleClient() : impl_(std::make_unique<Impl>()) {}

SimpleClient::~SimpleClient() {
  disconnect();
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

error_code SimpleClient::connect(std::string_view url, SimpleOptions options) {
  disconnect();
  auto& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex);
    impl.events.clear();
    impl.refused = false;
    impl.error.clear();
  }
  auto wait = options.wait_timeout;
  bool ok = impl.run([&impl, url = std::string(url), options = std::move(options)]() mutable {
    try {
      impl.client = std::make_unique<Client>(impl.io, url, std::move(options.client));
    } catch (const std::invalid_argument&) {
      return false;
    }
    impl.socket = impl.client->socket(options.nsp, {.auth = std::move(options.auth)});
    Impl* p = &impl;
    // Everything connect() waits on changes under the mutex, then wakes it.
    auto update = [p](bool connected, std::string error, bool refused = false) {
      std::lock_guard lock(p->mutex);
      p->connected = connected;
      if (refused) p->refused = true;
      p->sid = p->socket ? p->socket->id() : "";
      p->transport = p->client ? p->client->transport() : std::nullopt;
      if (!error.empty()) p->error = std::move(error);
      p->changed.notify_all();
    };
    impl.socket->on_connect([update] { update(true, {}); });
    impl.socket->on_disconnect([update](const std::string& reason) { update(false, reason); });
    impl.socket->on_connect_error([update](const ConnectError& e) {
      // A refusal by the namespace ends the attempt; transport failures are retried.
      update(false, e.message, !e.transport);
    });
    impl.socket->on_any([p](Event& e) {
      Event copy{.name = e.name, .args = e.args};
      if (e.ack) {
        copy.ack = Ack([p, inner = std::make_shared<Ack>(std::move(e.ack))](Args args) {
          asio::post(p->io,
                     [inner, args = std::move(args)]() mutable { inner->send(std::move(args)); });
        });
      }
      std::lock_guard lock(p->mutex);
      p->events.push_back(std::move(copy));
      p->changed.notify_all();
    });
    impl.socket->connect();
    return true;
  });
  if (!ok) return Error::BadUrl;
  std::unique_lock lock(impl.mutex);
  bool done = impl.changed.wait_for(lock, wait, [&] { return impl.connected || impl.refused; });
  if (impl.connected) return {};
  lock.unlock();
  impl.run([&impl] { impl.close_client(); });
  return done ? Error::ConnectRefused : Error::Timeout;
}

net::SendResult SimpleClient::emit_args(std::string_view event, Args args) {
  auto& impl = *impl_;
  return impl.run([&impl, event = std::string(event), args = std::move(args)]() mutable {
    if (!impl.socket || !impl.socket->connected()) return net::SendResult::Dropped;
    return impl.socket->emit_args(event, std::move(args));
  });
}

AckResult SimpleClient::call(std::string_view event, Args args, std::chrono::milliseconds timeout) {
  auto& impl = *impl_;
  auto future =
      impl.run([&impl, event = std::string(event), args = std::move(args), timeout]() mutable {
        std::promise<AckResult> promise;
        auto future = promise.get_future();
        if (!impl.socket || !impl.socket->connected()) {
          promise.set_value(make_error_code(Error::Closed));
          return future;
        }
        auto shared = std::make_shared<std::promise<AckResult>>(std::move(promise));
        impl.socket->emit_with_ack(
            event, std::move(args), [shared](AckResult r) { shared->set_value(std::move(r)); },
            timeout);
        return future;
      });
  return future.get();
}

std::optional<Event> SimpleClient::receive(std::optional<std::chrono::milliseconds> timeout) {
  auto& impl = *impl_;
  std::unique_lock lock(impl.mutex);
  auto ready = [&] { return !impl.events.empty(); };
  if (timeout) {
    if (!impl.changed.wait_for(lock, *timeout, ready)) return std::nullopt;
  } else {
    impl.changed.wait(lock, ready);
  }
  Event event = std::move(impl.events.front());
  impl.events.pop_front();
  return event;
}

void SimpleClient::disconnect() {
  auto& impl = *impl_;
  impl.run([&impl] { impl.close_client(); });
  std::lock_guard lock(impl.mutex);
  impl.connected = false;
  impl.transport.reset();
}

bool SimpleClient::connected() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connected;
}

std::string SimpleClient::sid() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sid;
}

std::optional<Transport> SimpleClient::transport() const {
  auto& impl = *impl_;
  return impl.run([&impl]() -> std::optional<Transport> {
    return impl.client ? impl.client->transport() : std::nullopt;
  });
}

std::string SimpleClient::last_error() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->error;
}

}  // namespace switchboard::client
