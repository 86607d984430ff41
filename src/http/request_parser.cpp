#include "http/request_parser.hpp"

#include <algorithm>
#include <array>
#include <cstring>

// The grammar is RFC 9112's, with these choices:
// - Lines end with CR LF. A bare LF (which §2.2 lets a recipient accept) and a bare CR are
//   400: a proxy in front that splits lines differently could otherwise see other requests.
// - obs-fold (a field line starting with white space) is 400 (§5.2 allows refusing it).
// - The target is origin-form, or `*` for OPTIONS (absolute-form and authority-form are 400:
//   the server is no proxy); its bytes are visible ASCII.
// - HTTP/1.0 and HTTP/1.1 only; any other version is 400.
// - Transfer-Encoding: its last coding must be chunked (else 400, §6.3), and chunked is the
//   only one (gzip, chunked is 501); with Content-Length, or in an HTTP/1.0 request, it is
//   400 (request smuggling, §6.1 and §6.3).
// - Content-Length: digits, or a list of identical values (§6.3); different values are 400.
// - Trailer fields are checked and dropped: none of them may pose as a header field.
// - Expect: 100-continue counts in HTTP/1.1 only (RFC 9110 §10.1.1).

namespace switchboard::http::detail {
namespace {

// RFC 9110 §5.6.2 tchar.
constexpr std::array<bool, 256> make_tchar() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr auto kTchar = make_tchar();

bool is_tchar(char c) {
  return kTchar[static_cast<unsigned char>(c)];
}
// field-vchar / SP / HTAB, obs-text included (RFC 9110 §5.5).
bool is_field_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}
bool is_ows(char c) {
  return c == ' ' || c == '\t';
}
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Splits a field line (without its CR LF) into a name and a trimmed value; false when it is
// not `token ":" OWS field-value OWS`.
bool split_field(std::string_view line, std::string_view& name, std::string_view& value) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  name = line.substr(0, colon);
  if (!is_token(name)) return false;  // also: white space before the colon, obs-fold
  value = line.substr(colon + 1);
  for (char c : value) {
    if (!is_field_char(c)) return false;
  }
  value = trim_ows(value);
  return true;
}

// Calls fn(element) for each non-empty element of a comma-separated list (RFC 9110 §5.6.1).
template <typename Fn>
void for_each_element(std::string_view list, Fn&& fn) {
  while (true) {
    auto comma = list.find(',');
    auto element = trim_ows(list.substr(0, comma));
    if (!element.empty()) fn(element);
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

bool parse_decimal(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);  // 1*DIGIT: zeros lead freely
  if (s.size() > 19) return false;                              // 19 digits always fit 64 bits
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )
bool valid_chunk_ext(std::string_view s) {
  std::size_t i = 0;
  auto skip_ows = [&] {
    while (i < s.size() && is_ows(s[i])) ++i;
  };
  auto token = [&] {
    auto start = i;
    while (i < s.size() && is_tchar(s[i])) ++i;
    return i > start;
  };
  // White space only before ";" and around "=": none at the end of the line.
  while (i < s.size()) {
    skip_ows();
    if (i == s.size() || s[i++] != ';') return false;
    skip_ows();
    if (!token()) return false;
    auto after_name = i;
    skip_ows();
    if (i == s.size() || s[i] != '=') {
      i = after_name;
      continue;
    }
    ++i;
    skip_ows();
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size() && !closed) {
        char c = s[i++];
        if (c == '"') {
          closed = true;
        } else if (c == '\\') {
          if (i == s.size() || !is_field_char(s[i])) return false;
          ++i;
        } else if (!is_field_char(c)) {
          return false;
        }
      }
      if (!closed) return false;
    } else if (!token()) {
      return false;
    }
  }
  return true;
}

// The longest chunk-size line (size and extensions) read; a longer one is 400.
constexpr std::size_t kMaxChunkLine = 4096;

}  // namespace

RequestParser::Status RequestParser::fail(int status, std::string_view message) {
  error_status_ = status;
  error_message_ = message;
  state_ = State::Failed;
  return Status::Error;
}

std::size_t RequestParser::feed(std::string_view in, Status& status) {
  switch (state_) {
    case State::Head:
      return feed_head(in, status);
    case State::Body: {
      auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
      req_.body.append(in.data(), take);
      remaining_ -= take;
      if (remaining_ == 0) state_ = State::Done;
      status = remaining_ == 0 ? Status::Done : Status::NeedMore;
      return take;
    }
    case State::ChunkSize:
    case State::ChunkData:
    case State::ChunkDataEnd:
    case State::Trailer:
      return feed_chunked(in, status);
    case State::Done:
      status = Status::Done;
      return 0;
    case State::Failed:
      break;
  }
  status = Status::Error;
  return 0;
}

// Waits for the whole head (CR LF CR LF), refusing a bare LF as soon as it arrives, then
// parses it. The bytes searched stay in `in` (the caller keeps them): `scanned_` resumes there.
std::size_t RequestParser::feed_head(std::string_view in, Status& status) {
  auto limit = std::min(in.size(), max_header_bytes_);
  const char* data = in.data();
  if (scanned_ > in.size()) scanned_ = lines_ = 0;  // fed less than before: search again
  std::size_t i = scanned_;
  while (i < limit) {
    auto* lf = static_cast<const char*>(std::memchr(data + i, '\n', limit - i));
    if (!lf) {
      i = limit;
      break;
    }
    auto at = static_cast<std::size_t>(lf - data);
    if (at == 0 || data[at - 1] != '\r') {
      status = fail(400, "malformed request: bare LF");
      return 0;
    }
    ++lines_;
    i = at + 1;
    if (at >= 3 && data[at - 2] == '\n') {
      // data[at - 3] is the CR before the previous LF (checked when it was found).
      scanned_ = 0;
      status = parse_head(in.substr(0, i));
      return status == Status::Error ? 0 : i;
    }
  }
  scanned_ = i;
  if (in.size() >= max_header_bytes_) {
    status = fail(431, "request header too large");
    return 0;
  }
  status = Status::NeedMore;
  return 0;
}

RequestParser::Status RequestParser::parse_head(std::string_view head) {
  // Request line: method SP request-target SP HTTP-version CRLF (RFC 9112 §3).
  auto eol = head.find("\r\n");
  auto line = head.substr(0, eol);
  head.remove_prefix(eol + 2);
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return fail(400, "malformed request line");
  auto method = line.substr(0, sp1);
  auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  auto version = line.substr(sp2 + 1);
  if (!is_token(method) || target.empty()) return fail(400, "malformed request line");
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return fail(400, "malformed request target");
    }
  }
  if (version == "HTTP/1.1") {
    req_.version = 11;
  } else if (version == "HTTP/1.0") {
    req_.version = 10;
  } else {
    return fail(400, "unsupported HTTP version");
  }
  req_.method.assign(method);
  req_.target.assign(target);

  // Field lines, straight into the Request's one buffer (§5).
  // The fields are staged as views and stored once their exact size is known: the buffer a
  // WebSocket keeps for its life is no larger than its fields. A head of more fields than
  // staged goes into a buffer reserved from the head's size instead.
  constexpr std::size_t kStaged = 32;
  std::array<Headers::Field, kStaged> staged;
  std::size_t staged_count = 0;
  std::size_t staged_bytes = 0;
  bool direct = false;
  auto lines = lines_;
  lines_ = 0;
  std::size_t hosts = 0;
  bool chunked = false;
  bool has_te = false;
  bool close = false;
  bool keep_alive = false;
  int te_error = 0;
  while (true) {
    eol = head.find("\r\n");
    line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (line.empty()) break;
    // obs-fold: the next line continues this one (§5.2); refused before this one counts.
    if (!head.empty() && is_ows(head.front())) return fail(400, "obs-fold in a header field");
    std::string_view name;
    std::string_view value;
    if (!split_field(line, name, value)) return fail(400, "malformed header field");
    if (!direct && staged_count == kStaged) {
      req_.headers.reserve(staged_bytes + head.size(), lines);
      for (auto& f : staged) req_.headers.add(f.name, f.value);
      direct = true;
    }
    if (direct) {
      req_.headers.add(name, value);
    } else {
      staged[staged_count++] = {name, value};
      staged_bytes += name.size() + value.size();
    }
    switch (name.size()) {
      case 4:
        if (iequals(name, "host")) ++hosts;
        break;
      case 6:
        if (iequals(name, "expect")) expects_continue_ = iequals(value, "100-continue");
        break;
      case 10:
        if (iequals(name, "connection")) {
          for_each_element(value, [&](std::string_view option) {
            if (iequals(option, "close")) close = true;
            if (iequals(option, "keep-alive")) keep_alive = true;
          });
        }
        break;
      case 14:
        if (iequals(name, "content-length")) {
          // 1*DIGIT, or a list of the same value (no empty element: "1,," is refused too).
          while (true) {
            auto comma = value.find(',');
            std::uint64_t n = 0;
            if (!parse_decimal(trim_ows(value.substr(0, comma)), n) ||
                (content_length_ && *content_length_ != n)) {
              return fail(400, "malformed Content-Length");
            }
            content_length_ = n;
            if (comma == std::string_view::npos) break;
            value.remove_prefix(comma + 1);
          }
        }
        break;
      case 17:
        if (iequals(name, "transfer-encoding")) {
          // Codings across every Transfer-Encoding line, in order: chunked last and once.
          has_te = true;
          if (trim_ows(value).find_first_not_of(", \t") == std::string_view::npos) {
            te_error = 400;  // an empty Transfer-Encoding: which framing did the sender mean?
          }
          for_each_element(value, [&](std::string_view coding) {
            if (chunked) te_error = 400;  // anything after chunked, chunked twice
            if (iequals(coding, "chunked")) {
              chunked = true;
            } else if (!te_error) {
              te_error = 501;
            }
          });
        }
        break;
      default:
        break;
    }
  }

  if (!direct) {
    req_.headers.reserve(staged_bytes, staged_count);
    for (std::size_t k = 0; k < staged_count; ++k)
      req_.headers.add(staged[k].name, staged[k].value);
  }

  if (req_.version == 11 && hosts == 0) return fail(400, "missing Host header");
  // RFC 9112 §3.2: more than one Host is a 400, whatever the values (which one would route?).
  if (hosts > 1) return fail(400, "more than one Host header");
  if (has_te) {
    if (content_length_ || req_.version == 10) {
      return fail(400, "Transfer-Encoding with Content-Length or in HTTP/1.0");
    }
    // Without chunked last the body has no length a server could trust (§6.3).
    if (!chunked || te_error == 400) return fail(400, "malformed Transfer-Encoding");
    if (te_error) return fail(501, "transfer coding not implemented");
  }
  if (req_.version == 10) expects_continue_ = false;
  req_.keep_alive = req_.version == 11 ? !close : keep_alive && !close;

  auto q = target.find('?');
  auto raw_path = target.substr(0, q);
  bool asterisk = target == "*" && method == "OPTIONS";
  if (asterisk) {
    req_.path.assign(raw_path);  // "*": no route has it
  } else {
    if (raw_path.empty() || raw_path[0] != '/') return fail(400, "malformed request target");
    if (raw_path.find('%') == std::string_view::npos) {
      req_.path.assign(raw_path);
    } else if (auto decoded = percent_decode(raw_path)) {
      req_.path = std::move(*decoded);
    } else {
      return fail(400, "malformed request target");
    }
  }
  if (q != std::string_view::npos) req_.query.assign(target.substr(q + 1));

  if (chunked) {
    state_ = State::ChunkSize;
  } else if (content_length_ && *content_length_ > 0) {
    remaining_ = *content_length_;
    state_ = State::Body;
  } else {
    state_ = State::Done;
  }
  return Status::HeaderDone;
}

bool RequestParser::set_body_limit(std::uint64_t limit) {
  if (content_length_ && *content_length_ > limit) {
    fail(413, "request body too large");
    return false;
  }
  body_limit_ = limit;
  // The declared length, not more than 64 KiB ahead of the bytes: a client cannot make the
  // server hold memory it never fills.
  if (state_ == State::Body) {
    req_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, 64 << 10)));
  }
  return true;
}

// chunked-body = *chunk last-chunk trailer-section CRLF (RFC 9112 §7.1).
std::size_t RequestParser::feed_chunked(std::string_view in, Status& status) {
  std::size_t used = 0;
  auto rest = [&] { return in.substr(used); };
  while (true) {
    switch (state_) {
      case State::ChunkSize: {
        auto r = rest();
        auto lf = r.find('\n');
        if (lf == std::string_view::npos) {
          if (r.size() > kMaxChunkLine) {
            status = fail(400, "chunk line too long");
            return used;
          }
          status = Status::NeedMore;
          return used;
        }
        if (lf == 0 || r[lf - 1] != '\r') {
          status = fail(400, "malformed chunk: bare LF");
          return used;
        }
        auto line = r.substr(0, lf - 1);
        std::size_t digits = 0;
        std::uint64_t size = 0;
        for (; digits < line.size(); ++digits) {
          auto d = hex_value(line[digits]);
          if (d < 0) break;
          if (size >> 60) {
            status = fail(400, "chunk size overflows");
            return used;
          }
          size = size << 4 | static_cast<unsigned>(d);
        }
        if (digits == 0 || !valid_chunk_ext(line.substr(digits))) {
          status = fail(400, "malformed chunk size");
          return used;
        }
        if (size > body_limit_ - req_.body.size()) {
          status = fail(413, "request body too large");
          return used;
        }
        used += lf + 1;
        remaining_ = size;
        state_ = size == 0 ? State::Trailer : State::ChunkData;
        break;
      }
      case State::ChunkData: {
        auto r = rest();
        auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, r.size()));
        req_.body.append(r.data(), take);
        used += take;
        remaining_ -= take;
        if (remaining_ > 0) {
          status = Status::NeedMore;
          return used;
        }
        state_ = State::ChunkDataEnd;
        break;
      }
      case State::ChunkDataEnd: {
        auto r = rest();
        if (r.size() < 2) {
          if (r.size() == 1 && r[0] != '\r') {
            status = fail(400, "malformed chunk: no CRLF after its data");
          } else {
            status = Status::NeedMore;
          }
          return used;
        }
        if (r[0] != '\r' || r[1] != '\n') {
          status = fail(400, "malformed chunk: no CRLF after its data");
          return used;
        }
        used += 2;
        state_ = State::ChunkSize;
        break;
      }
      case State::Trailer: {
        auto r = rest();
        auto lf = r.find('\n');
        if (lf == std::string_view::npos) {
          if (trailer_bytes_ + r.size() > max_header_bytes_) {
            status = fail(431, "trailer section too large");
          } else {
            status = Status::NeedMore;
          }
          return used;
        }
        if (lf == 0 || r[lf - 1] != '\r') {
          status = fail(400, "malformed trailer: bare LF");
          return used;
        }
        trailer_bytes_ += lf + 1;
        if (trailer_bytes_ > max_header_bytes_) {
          status = fail(431, "trailer section too large");
          return used;
        }
        auto line = r.substr(0, lf - 1);
        used += lf + 1;
        if (line.empty()) {
          state_ = State::Done;
          status = Status::Done;
          return used;
        }
        std::string_view name;
        std::string_view value;
        if (!split_field(line, name, value)) {
          status = fail(400, "malformed trailer field");
          return used;
        }
        break;
      }
      default:
        status = Status::Error;
        return used;
    }
  }
}

}  // namespace switchboard::http::detail
