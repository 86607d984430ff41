#pragma once
/// Event arguments: JSON values, with binary buffers beside them as the wire carries them.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

namespace switchboard::socketio {

/// A binary argument (an ArrayBuffer / Buffer / bytes on the other side).
struct Binary {
  std::string bytes;
};

/// The arguments of an event or an ack. Binary values are placeholders in `values` that refer
/// to `attachments` (see Packet); binary() resolves them.
struct Args {
  boost::json::array values;
  std::vector<std::string> attachments;

  /// Appends a JSON value, a Binary, or anything boost::json::value_from converts.
  template <class T>
  Args& add(T&& value) {
    using V = std::decay_t<T>;
    if constexpr (std::is_same_v<V, Binary>) {
      add_binary(std::string(std::forward<T>(value).bytes));
    } else if constexpr (std::is_same_v<V, boost::json::value>) {
      values.push_back(std::forward<T>(value));
    } else {
      values.push_back(boost::json::value_from(std::forward<T>(value)));
    }
    return *this;
  }
  void add_binary(std::string bytes);
  /// The buffer a placeholder refers to, or nullptr.
  const std::string* binary(const boost::json::value& value) const;
  std::size_t size() const { return values.size(); }
  const boost::json::value& operator[](std::size_t i) const { return values.at(i); }

  /// Builds Args from values: Args::of("a", 1, Binary{"..."}).
  template <class... T>
  static Args of(T&&... values) {
    Args a;
    (a.add(std::forward<T>(values)), ...);
    return a;
  }
};

/// Answers an event whose sender asked for an acknowledgement (on either side: the server's
/// handlers and the C++ client's); only the first answer is sent.
class Ack {
 public:
  Ack() = default;
  explicit Ack(std::function<void(Args)> send) : send_(std::move(send)) {}
  /// True when the peer asked for an ack and none was sent yet.
  explicit operator bool() const { return static_cast<bool>(send_); }
  template <class... T>
  void operator()(T&&... values) {
    send(Args::of(std::forward<T>(values)...));
  }
  /// Sends the ack once; later calls do nothing.
  void send(Args args) {
    if (auto s = std::exchange(send_, nullptr)) s(std::move(args));
  }

 private:
  std::function<void(Args)> send_;
};

}  // namespace switchboard::socketio
