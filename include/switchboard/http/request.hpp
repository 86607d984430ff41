#pragma once
/// An HTTP/1.1 request as the server hands it to a route: its line, its header fields, its
/// body, and the helpers to read them.

#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::http {

/// Header fields in arrival order; names compare case-insensitively. Every field lives in one
/// buffer (a length-prefixed name and value each), so a request kept for a connection's
/// lifetime costs one allocation for its headers.
class Headers {
 public:
  /// One field, viewed in the Headers' buffer (valid until the Headers change or go).
  struct Field {
    /// The name as received (compare it with iequals()).
    std::string_view name;
    /// The value, without the surrounding white space.
    std::string_view value;
  };

  /// Walks the fields in order, yielding Field views into the buffer.
  class const_iterator {
   public:
    /// A forward iterator's member types.
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    /// A singular iterator (for the iterator concepts).
    const_iterator() = default;
    /// The field it is at (views into the buffer).
    Field operator*() const;
    /// Moves to the next field.
    const_iterator& operator++();
    /// Moves to the next field, returning where it was.
    const_iterator operator++(int) {
      auto old = *this;
      ++*this;
      return old;
    }
    /// True at the same field of the same Headers.
    bool operator==(const const_iterator& o) const { return at_ == o.at_; }

   private:
    friend class Headers;
    explicit const_iterator(const char* at) : at_(at) {}
    const char* at_ = nullptr;
  };

  /// The first value of `name`, or an empty view.
  std::string_view get(std::string_view name) const;
  /// Every value of `name` in arrival order, joined with ", " (how repeated fields combine,
  /// RFC 9110 §5.3); empty when absent. A singleton field sent twice thus fails its syntax.
  std::string joined(std::string_view name) const;
  /// How many fields are called `name`.
  std::size_t count(std::string_view name) const;
  /// True when a field is called `name`.
  bool contains(std::string_view name) const;
  /// Adds a field (repeats are kept).
  void add(std::string_view name, std::string_view value);
  /// Replaces every field called `name` by one.
  void set(std::string_view name, std::string_view value);
  /// Reserves room for fields of `bytes` bytes of names and values in all, `count` fields.
  void reserve(std::size_t bytes, std::size_t count);
  /// The first field; iterators are invalidated by add(), set() and reserve().
  const_iterator begin() const { return const_iterator(data_.data()); }
  /// Past the last field.
  const_iterator end() const { return const_iterator(data_.data() + data_.size()); }
  /// The number of fields (repeats counted).
  std::size_t size() const { return count_; }
  /// True when there is no field.
  bool empty() const { return count_ == 0; }

 private:
  std::string data_;
  std::size_t count_ = 0;
};

/// True when two ASCII strings are equal ignoring case.
bool iequals(std::string_view a, std::string_view b);
/// True when a comma-separated header value lists `token` (case-insensitive).
bool has_token(std::string_view list, std::string_view token);

/// One parsed HTTP/1.1 request. `path` is percent-decoded; `target` is as received.
struct Request {
  /// The method as received, case-sensitive ("GET").
  std::string method;
  /// The request target as received (path and query, still encoded).
  std::string target;
  /// The target's path, percent-decoded ('+' stays '+').
  std::string path;
  /// What follows the first '?' of the target, still encoded; empty when none.
  std::string query;
  /// 10 for HTTP/1.0, 11 for HTTP/1.1.
  unsigned version = 11;
  /// The header fields in arrival order.
  Headers headers;
  /// The whole body (the server reads it before calling the route, up to its max_body).
  std::string body;
  /// False when the client asked to close after this answer (HTTP/1.0 without keep-alive,
  /// `Connection: close`).
  bool keep_alive = true;
  /// Path parameters captured by the route (":room" -> "lobby").
  std::vector<std::pair<std::string, std::string>> params;
  /// The peer's IP address as text ("127.0.0.1", "::1"); no proxy header is consulted.
  std::string remote_address;
  /// True when the request came over TLS.
  bool tls = false;

  /// The first value of header `name`, or an empty view.
  std::string_view header(std::string_view name) const { return headers.get(name); }
  /// The value of a path parameter, or an empty view.
  std::string_view param(std::string_view name) const;
  /// The decoded value of the first query parameter `name` ('+' read as a space), if present
  /// ("" for `?name`); nullopt too when its escapes are malformed.

  std::optional<std::string> query_param(std::string_view name) const;
};

/// Percent-decodes `in` ('+' stays '+'); nullopt when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space = false);

}  // namespace switchboard::http
