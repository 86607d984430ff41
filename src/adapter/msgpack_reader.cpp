// The msgpack decoder: bounds-checked, never throws, notepack's mapping (msgpack.hpp).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/adapter/error.hpp"
#include "switchboard/adapter/msgpack.hpp"

namespace switchboard::adapter {
namespace {

namespace json = boost::json;

// Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day count since 1970.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

// Date.prototype.toJSON: "YYYY-MM-DDTHH:mm:ss.sssZ", years outside 0..9999 as +/-YYYYYY.
std::string iso_date(std::int64_t seconds, std::uint32_t nanos) {
  std::int64_t days = seconds / 86400, rest = seconds % 86400;
  if (rest < 0) rest += 86400, --days;
  std::int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  char buf[48];
  const char* year_format = (year >= 0 && year <= 9999) ? "%04lld" : "%+07lld";
  int n = std::snprintf(buf, sizeof buf, year_format, static_cast<long long>(year));
  std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n),
                "-%02u-%02uT%02d:%02d:%02d.%03uZ", month, day, static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60), nanos / 1'000'000);
  return buf;
}

class Reader {
 public:
  Reader(std::string_view in, const MakeBinary& make_binary)
      : p_(in.data()), end_(in.data() + in.size()), make_binary_(make_binary) {}

  // One value; nullopt with error_ set on failure. `undefined_` is set when the value was
  // notepack's undefined.
  std::optional<json::value> value(std::size_t depth) {
    undefined_ = false;
    if (depth > kMaxDepth) return fail(Error::NestingTooDeep);
    std::uint8_t b;
    if (!byte(b)) return std::nullopt;
    if (b <= 0x7f) return json::value(static_cast<std::int64_t>(b));
    if (b >= 0xe0) return json::value(static_cast<std::int64_t>(static_cast<std::int8_t>(b)));
    if ((b & 0xf0) == 0x80) return map(b & 0x0f, depth);
    if ((b & 0xf0) == 0x90) return array(b & 0x0f, depth);
    if ((b & 0xe0) == 0xa0) return str(b & 0x1f);
    switch (b) {
      case 0xc0:
        return json::value(nullptr);
      case 0xc2:
        return json::value(false);
      case 0xc3:
        return json::value(true);
      case 0xc4:
        return sized(1, [&](std::uint64_t n) { return bin(n); });
      case 0xc5:
        return sized(2, [&](std::uint64_t n) { return bin(n); });
      case 0xc6:
        return sized(4, [&](std::uint64_t n) { return bin(n); });
      case 0xc7:
        return sized(1, [&](std::uint64_t n) { return ext(n); });
      case 0xc8:
        return sized(2, [&](std::uint64_t n) { return ext(n); });
      case 0xc9:
        return sized(4, [&](std::uint64_t n) { return ext(n); });
      case 0xca:
        return float32();
      case 0xcb:
        return float64();
      case 0xcc:
        return uint(1);
      case 0xcd:
        return uint(2);
      case 0xce:
        return uint(4);
      case 0xcf:
        return uint(8);
      case 0xd0:
        return sint(1);
      case 0xd1:
        return sint(2);
      case 0xd2:
        return sint(4);
      case 0xd3:
        return sint(8);
      case 0xd4:
        return ext(1);
      case 0xd5:
        return ext(2);
      case 0xd6:
        return ext(4);
      case 0xd7:
        return ext(8);
      case 0xd8:
        return ext(16);
      case 0xd9:
        return sized(1, [&](std::uint64_t n) { return str(n); });
      case 0xda:
        return sized(2, [&](std::uint64_t n) { return str(n); });
      case 0xdb:
        return sized(4, [&](std::uint64_t n) { return str(n); });
      case 0xdc:
        return sized(2, [&](std::uint64_t n) { return array(n, depth); });
      case 0xdd:
        return sized(4, [&](std::uint64_t n) { return array(n, depth); });
      case 0xde:
        return sized(2, [&](std::uint64_t n) { return map(n, depth); });
      case 0xdf:
        return sized(4, [&](std::uint64_t n) { return map(n, depth); });
      default:
        return fail(Error::MalformedMessage);  // 0xc1 is never used
    }
  }

  bool at_end() const { return p_ == end_; }
  Error error() const { return error_; }

 private:
  std::nullopt_t fail(Error e) {
    error_ = e;
    return std::nullopt;
  }
  bool byte(std::uint8_t& b) {
    if (p_ == end_) return fail(Error::MalformedMessage), false;
    b = static_cast<std::uint8_t>(*p_++);
    return true;
  }
  bool big_endian(std::size_t n, std::uint64_t& out) {
    if (static_cast<std::size_t>(end_ - p_) < n) return fail(Error::MalformedMessage), false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) out = (out << 8) | static_cast<std::uint8_t>(*p_++);
    return true;
  }
  bool take(std::uint64_t n, std::string_view& out) {
    if (static_cast<std::uint64_t>(end_ - p_) < n) return fail(Error::MalformedMessage), false;
    out = {p_, static_cast<std::size_t>(n)};
    p_ += n;
    return true;
  }
  template <class F>
  std::optional<json::value> sized(std::size_t width, F&& then) {
    std::uint64_t n;
    if (!big_endian(width, n)) return std::nullopt;
    return then(n);
  }
  std::optional<json::value> uint(std::size_t width) {
    std::uint64_t n;
    if (!big_endian(width, n)) return std::nullopt;
    if (n > static_cast<std::uint64_t>(INT64_MAX)) return json::value(n);
    return json::value(static_cast<std::int64_t>(n));
  }
  std::optional<json::value> sint(std::size_t width) {
    std::uint64_t n;
    if (!big_endian(width, n)) return std::nullopt;
    const unsigned shift = static_cast<unsigned>(64 - 8 * width);
    return json::value(static_cast<std::int64_t>(n << shift) >> shift);
  }
  std::optional<json::value> float32() {
    std::uint64_t n;
    if (!big_endian(4, n)) return std::nullopt;
    auto bits = static_cast<std::uint32_t>(n);
    float f;
    std::memcpy(&f, &bits, 4);
    return number(static_cast<double>(f));
  }
  std::optional<json::value> float64() {
    std::uint64_t bits;
    if (!big_endian(8, bits)) return std::nullopt;
    double d;
    std::memcpy(&d, &bits, 8);
    return number(d);
  }
  // NaN and the infinities become null, as JSON.stringify makes them for a Node peer's
  // clients (JSON has no such numbers, so a client of ours could not read them).
  static json::value number(double d) {
    if (!std::isfinite(d)) return nullptr;
    return json::value(d);
  }
  std::optional<json::value> str(std::uint64_t n) {
    std::string_view s;
    if (!take(n, s)) return std::nullopt;
    return json::value(json::string(s));
  }
  std::optional<json::value> bin(std::uint64_t n) {
    std::string_view s;
    if (!take(n, s)) return std::nullopt;
    if (!make_binary_) return fail(Error::MalformedMessage);
    return make_binary_(std::string(s));
  }
  std::optional<json::value> ext(std::uint64_t n) {
    std::uint8_t type_byte;
    std::string_view body;
    if (!byte(type_byte) || !take(n, body)) return std::nullopt;
    const auto type = static_cast<std::int8_t>(type_byte);
    if (type == 0 && n == 1) {  // notepack's undefined
      undefined_ = true;
      return json::value(nullptr);
    }
    if (type == 0) return bin_of(body);  // notepack's old ArrayBuffer encoding
    if (type == -1) {
      if (auto date = timestamp(body)) return json::value(json::string(*date));
    }
    auto data = bin_of(body);
    if (!data) return std::nullopt;
    return json::value(json::array{static_cast<std::int64_t>(type), std::move(*data)});
  }
  std::optional<json::value> bin_of(std::string_view body) {
    if (!make_binary_) return fail(Error::MalformedMessage);
    return make_binary_(std::string(body));
  }
  // msgpack timestamp 32/64/96 -> Date.toJSON.
  static std::optional<std::string> timestamp(std::string_view b) {
    auto be = [&](std::size_t at, std::size_t n) {
      std::uint64_t v = 0;
      for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(b[at + i]);
      return v;
    };
    if (b.size() == 4) return iso_date(static_cast<std::int64_t>(be(0, 4)), 0);
    if (b.size() == 8) {
      const std::uint64_t v = be(0, 8);
      return iso_date(static_cast<std::int64_t>(v & 0x3'ffff'ffffULL),
                      static_cast<std::uint32_t>(v >> 34));
    }
    if (b.size() == 12)
      return iso_date(static_cast<std::int64_t>(be(4, 8)), static_cast<std::uint32_t>(be(0, 4)));
    return std::nullopt;
  }
  std::optional<json::value> array(std::uint64_t n, std::size_t depth) {
    if (n > static_cast<std::uint64_t>(end_ - p_)) return fail(Error::MalformedMessage);
    json::array a;
    a.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
      auto item = value(depth + 1);
      if (!item) return std::nullopt;
      a.push_back(std::move(*item));
    }
    undefined_ = false;
    return json::value(std::move(a));
  }
  std::optional<json::value> map(std::uint64_t n, std::size_t depth) {
    if (n > static_cast<std::uint64_t>(end_ - p_) / 2) return fail(Error::MalformedMessage);
    json::object o;
    for (std::uint64_t i = 0; i < n; ++i) {
      auto key = value(depth + 1);
      if (!key) return std::nullopt;
      std::string name;
      if (key->is_string()) {
        name = key->get_string();
      } else if (key->is_int64() || key->is_uint64()) {
        name = json::serialize(*key);
      } else {
        return fail(Error::MalformedMessage);
      }
      auto item = value(depth + 1);
      if (!item) return std::nullopt;
      if (undefined_) continue;  // JSON.stringify drops undefined members
      o[name] = std::move(*item);
    }
    undefined_ = false;
    return json::value(std::move(o));
  }

  const char* p_;
  const char* end_;
  const MakeBinary& make_binary_;
  Error error_ = Error::MalformedMessage;
  bool undefined_ = false;
};

}  // namespace

boost::system::result<json::value> decode_msgpack(std::string_view bytes,
                                                  const MakeBinary& make_binary) {
  Reader reader(bytes, make_binary);
  auto v = reader.value(0);
  if (!v) return make_error_code(reader.error());
  if (!reader.at_end()) return make_error_code(Error::TrailingBytes);
  return std::move(*v);
}

}  // namespace switchboard::adapter
