// The msgpack encoder: MsgPuck's primitives, notepack's choices (msgpack.hpp).
#include <cmath>
#include <cstdint>
#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#define MP_SOURCE 1
#include <msgpuck.h>

#include "switchboard/adapter/msgpack.hpp"

namespace switchboard::adapter {
namespace {

class Writer {
 public:
  Writer(std::string& out, const BinaryOf& binary_of) : out_(out), binary_of_(binary_of) {}

  void value(const boost::json::value& v) {
    if (binary_of_) {
      if (const std::string* bytes = binary_of_(v)) return bin(*bytes);
    }
    switch (v.kind()) {
      case boost::json::kind::null:
        return put(mp_encode_nil(buf_));
      case boost::json::kind::bool_:
        return put(mp_encode_bool(buf_, v.get_bool()));
      case boost::json::kind::int64:
        return integer(v.get_int64());
      case boost::json::kind::uint64:
        return put(mp_encode_uint(buf_, v.get_uint64()));
      case boost::json::kind::double_:
        return number(v.get_double());
      case boost::json::kind::string:
        return str(v.get_string());
      case boost::json::kind::array:
        put(mp_encode_array(buf_, static_cast<std::uint32_t>(v.get_array().size())));
        for (const auto& item : v.get_array()) value(item);
        return;
      case boost::json::kind::object:
        put(mp_encode_map(buf_, static_cast<std::uint32_t>(v.get_object().size())));
        for (const auto& [key, item] : v.get_object()) {
          str(key);
          value(item);
        }
        return;
    }
  }

 private:
  void put(const char* end) { out_.append(buf_, static_cast<std::size_t>(end - buf_)); }
  void integer(std::int64_t n) {
    put(n >= 0 ? mp_encode_uint(buf_, static_cast<std::uint64_t>(n)) : mp_encode_int(buf_, n));
  }
  // notepack: `Math.floor(v) !== v || !isFinite(v)` -> float 64, else an integer.
  void number(double d) {
    constexpr double two63 = 9223372036854775808.0;
    if (std::isfinite(d) && std::floor(d) == d && d >= -two63 && d < 2 * two63) {
      if (d < 0) return integer(static_cast<std::int64_t>(d));
      return put(mp_encode_uint(buf_, static_cast<std::uint64_t>(d)));
    }
    put(mp_encode_double(buf_, d));
  }
  void str(std::string_view s) {
    put(mp_encode_strl(buf_, static_cast<std::uint32_t>(s.size())));
    out_.append(s);
  }
  void bin(const std::string& bytes) {
    put(mp_encode_binl(buf_, static_cast<std::uint32_t>(bytes.size())));
    out_.append(bytes);
  }

  std::string& out_;
  const BinaryOf& binary_of_;
  char buf_[16];
};

}  // namespace

std::string encode_msgpack(const boost::json::value& value, const BinaryOf& binary_of) {
  std::string out;
  Writer(out, binary_of).value(value);
  return out;
}

}  // namespace switchboard::adapter
