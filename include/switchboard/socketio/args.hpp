#pragma once
/// Event arguments: JSON values, binaries among them (binary(), as_binary()).

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

namespace switchboard::socketio {

/// A binary argument (an ArrayBuffer / Buffer / bytes on the other side).
struct Binary {
  /// The raw bytes.
  std::string bytes;
};

/// A binary value: `{"_placeholder":true,"_bytes":"<the bytes>"}`, a JSON object that carries
/// its bytes wherever it goes (into another event, an ack, a broadcast, nested at any depth,
/// copied). On the wire it becomes a placeholder and an attachment (Packet), and each buffer
/// a peer sends arrives as one. Nothing but binaries should use the "_bytes" key: a client
/// can send such an object as plain JSON, and it then reads (and is passed on) as a binary.
///
///     socket->emit("file", boost::json::object{{"name", "a.png"}, {"data", binary(bytes)}});
boost::json::value binary(std::string_view bytes);
/// The bytes of a binary value (a view into it), or nullopt for any other value.
std::optional<std::string_view> as_binary(const boost::json::value& value) noexcept;
/// Binary{bytes} converts to a binary value (boost::json::value_from, Args::of, emit).
void tag_invoke(boost::json::value_from_tag, boost::json::value& value, const Binary& binary);

/// `value` as a T, or nullopt when it holds something else. Never throws. T may be bool, an
/// integer type (a whole number within its range, also when sent as 3.0), a floating-point
/// type (any number), std::string, std::string_view (a view into `value`), Binary (a copy of
/// a binary value's bytes), or
/// boost::json::object / array / string / value (copies); other types go through
/// boost::json::try_value_to.
///
///     if (auto name = socketio::value_as<std::string>(v)) greet(*name);
template <class T>
std::optional<T> value_as(const boost::json::value& value) {
  if constexpr (std::is_same_v<T, bool>) {
    if (const auto* b = value.if_bool()) return *b;
    return std::nullopt;
  } else if constexpr (std::is_integral_v<T>) {
    if (const auto* i = value.if_int64()) {
      if (std::in_range<T>(*i)) return static_cast<T>(*i);
    } else if (const auto* u = value.if_uint64()) {
      if (std::in_range<T>(*u)) return static_cast<T>(*u);
    } else if (const auto* d = value.if_double()) {
      // Whole numbers within ±2^53 (exact as doubles); JavaScript sends 3 as 3 but may send 3.0.
      if (std::trunc(*d) == *d && std::fabs(*d) <= 9007199254740992.0) {
        auto whole = static_cast<std::int64_t>(*d);
        if (std::in_range<T>(whole)) return static_cast<T>(whole);
      }
    }
    return std::nullopt;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (const auto* d = value.if_double()) return static_cast<T>(*d);
    if (const auto* i = value.if_int64()) return static_cast<T>(*i);
    if (const auto* u = value.if_uint64()) return static_cast<T>(*u);
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    if (const auto* s = value.if_string()) return T(s->data(), s->size());
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, Binary>) {
    if (auto bytes = as_binary(value)) return Binary{std::string(*bytes)};
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, boost::json::object>) {
    if (const auto* o = value.if_object()) return *o;
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, boost::json::array>) {
    if (const auto* a = value.if_array()) return *a;
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, boost::json::string>) {
    if (const auto* s = value.if_string()) return *s;
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, boost::json::value>) {
    return value;
  } else {
    auto result = boost::json::try_value_to<T>(value);
    if (result) return std::move(*result);
    return std::nullopt;
  }
}

/// The member `key` of the object `value` as a T (see value_as), or nullopt when `value` is
/// not an object, has no such member, or it holds something else. Never throws.
///
///     auto text = socketio::field<std::string>(e.args[0], "text");
template <class T>
std::optional<T> field(const boost::json::value& value, std::string_view key) {
  const auto* object = value.if_object();
  if (!object) return std::nullopt;
  const auto* member = object->if_contains(key);
  if (!member) return std::nullopt;
  return value_as<T>(*member);
}

/// The arguments of an event or an ack: JSON values, in which each binary is a binary value
/// (see binary()) at any depth. A value taken out of one event keeps its bytes when passed to
/// emit, to(...).emit, an ack or emit_with_ack.
struct Args {
  /// The arguments, in order.
  boost::json::array values;

  /// Appends a JSON value, a Binary, or anything boost::json::value_from converts.
  template <class T>
  Args& add(T&& value) {
    using V = std::decay_t<T>;
    if constexpr (std::is_same_v<V, boost::json::value>) {
      values.push_back(std::forward<T>(value));
    } else {
      values.push_back(boost::json::value_from(std::forward<T>(value)));
    }
    return *this;
  }
  /// Appends a binary argument.
  void add_binary(std::string_view bytes) { values.push_back(socketio::binary(bytes)); }
  /// The bytes of `value` when it is a binary value (as_binary).
  static std::optional<std::string_view> binary(const boost::json::value& value) noexcept {
    return as_binary(value);
  }
  /// The number of arguments.
  std::size_t size() const { return values.size(); }
  /// Argument `i`; throws std::out_of_range when there is none (get() does not throw).
  const boost::json::value& operator[](std::size_t i) const { return values.at(i); }

  /// Argument `i` as a T (see value_as), or nullopt when absent or of another type.
  template <class T>
  std::optional<T> get(std::size_t i) const {
    if (i >= values.size()) return std::nullopt;
    return value_as<T>(values[i]);
  }
  /// The member `key` of argument `i`, an object, as a T (see field).
  template <class T>
  std::optional<T> get(std::size_t i, std::string_view key) const {
    if (i >= values.size()) return std::nullopt;
    return field<T>(values[i], key);
  }

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
  /// An ack nobody asked for: sending it does nothing.
  Ack() = default;
  /// An ack that `send` delivers (made by the server and the client).
  explicit Ack(std::function<void(Args)> send) : send_(std::move(send)) {}
  /// True when the peer asked for an ack and none was sent yet.
  explicit operator bool() const { return static_cast<bool>(send_); }
  /// Sends the ack with these values (once; later calls do nothing).
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
