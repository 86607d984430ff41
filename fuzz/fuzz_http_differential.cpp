// Differential fuzzing of the HTTP/1.1 request parser against Beast's (what the server used
// before it had its own, with the checks it made on top): one request, fed whole, must be
// accepted or refused by both, and when both accept, read alike (method, target, path, query,
// version, keep-alive, fields, body, bytes consumed). The deliberate differences are listed in
// deliberately_stricter() (ours refuses by RFC 9112, known by its error message),
// deliberately_laxer() (Beast refuses) and at the comparison of the fields (order, trailers).
// Anything else aborts with the input.
#define BOOST_DISABLE_ASSERTS  // see the note on Beast's chunk assertion in the old parser

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/request_parser.hpp"

namespace {

namespace beast = boost::beast;
using switchboard::http::Request;
using switchboard::http::detail::RequestParser;

constexpr std::size_t kHeaderLimit = 1024;
constexpr std::uint64_t kBodyLimit = 1024;

struct Outcome {
  enum Kind { Incomplete, Done, Error } kind = Incomplete;
  int status = 0;
  std::string_view message;
  beast::error_code beast_error;  // Beast's reason for a 400
  std::size_t consumed = 0;
  Request request;
};

// The server's parser before: Beast's, with the Host, target and limit checks around it.
Outcome run_beast(std::string_view in) {
  Outcome out;
  beast::http::request_parser<beast::http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  auto fail = [&](int status) {
    out.kind = Outcome::Error;
    out.status = status;
    return std::move(out);
  };
  bool limited = false;
  while (true) {
    beast::error_code ec;
    auto used =
        parser.put(boost::asio::buffer(in.data() + out.consumed, in.size() - out.consumed), ec);
    out.consumed += used;
    if (ec == beast::http::error::need_more) {
      if (used == 0) return out;
      continue;
    }
    if (ec == beast::http::error::header_limit) return fail(431);
    if (ec == beast::http::error::body_limit) return fail(413);
    if (ec) {
      out.beast_error = ec;
      return fail(400);
    }
    if (parser.is_header_done() && !limited) {
      limited = true;
      const auto& msg = parser.get();
      if (msg.version() == 11 && msg.find(beast::http::field::host) == msg.end()) return fail(400);
      if (msg.count(beast::http::field::host) > 1) return fail(400);
      auto target = std::string_view(msg.target());
      auto raw_path = target.substr(0, target.find('?'));
      auto decoded = switchboard::http::percent_decode(raw_path);
      bool asterisk = target == "*" && msg.method_string() == "OPTIONS";
      if (!asterisk && (raw_path.empty() || raw_path[0] != '/' || !decoded)) return fail(400);
      if (decoded) out.request.path = std::move(*decoded);
      if (auto length = parser.content_length(); length && *length > kBodyLimit) return fail(413);
      parser.body_limit(kBodyLimit);
    }
    if (parser.is_done()) break;
    if (used == 0) return out;
  }
  auto msg = parser.release();
  auto& req = out.request;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  if (auto q = req.target.find('?'); q != std::string::npos) req.query = req.target.substr(q + 1);
  req.version = msg.version();
  req.keep_alive = msg.keep_alive();
  for (auto& field : msg) req.headers.add(field.name_string(), field.value());
  req.body = std::move(msg.body());
  out.kind = Outcome::Done;
  return out;
}

Outcome run_ours(std::string_view in) {
  Outcome out;
  RequestParser parser(kHeaderLimit);
  while (true) {
    RequestParser::Status status;
    auto used = parser.feed(in.substr(out.consumed), status);
    out.consumed += used;
    if (status == RequestParser::Status::Error) {
      out.kind = Outcome::Error;
      out.status = parser.error_status();
      out.message = parser.error_message();
      return out;
    }
    if (status == RequestParser::Status::HeaderDone) {
      if (!parser.set_body_limit(kBodyLimit)) {
        out.kind = Outcome::Error;
        out.status = parser.error_status();
        out.message = parser.error_message();
        return out;
      }
    }
    if (parser.done()) break;
    if (status == RequestParser::Status::NeedMore && used == 0) return out;
  }
  out.kind = Outcome::Done;
  out.request = parser.take_request();
  return out;
}

bool near_the_header_limit(std::string_view in) {
  auto end = in.find("\r\n\r\n");
  return end == std::string_view::npos || end + 4 + 8 > kHeaderLimit;
}

// Where ours refuses what Beast accepts, on purpose (RFC 9112 allows or requires it).
bool deliberately_stricter(std::string_view in, const Outcome& ours, const Outcome& theirs) {
  auto m = ours.message;
  // The header limit: ours counts the whole head, CR LF CR LF included; Beast a few bytes less.
  if (m == "request header too large" && near_the_header_limit(in)) return true;
  // HTTP/1.0 and 1.1 only (Beast takes any HTTP/d.d).
  if (m == "unsupported HTTP version") return true;
  // Visible ASCII targets only (Beast takes obs-text bytes).
  if (m == "malformed request target") return true;
  // obs-fold and a bare CR in a field value are refused; Beast unfolds or keeps them.
  if (m == "malformed header field" || m == "obs-fold in a header field") return true;
  // Any Transfer-Encoding without chunked last is refused, and chunked only; Beast reads
  // `Transfer-Encoding: gzip` as no body at all, and lets Content-Length follow such a TE.
  if (m == "malformed Transfer-Encoding" || m == "transfer coding not implemented" ||
      m == "Transfer-Encoding with Content-Length or in HTTP/1.0") {
    return true;
  }
  // Trailer fields get the header limit and field syntax; Beast's checks differ.
  if (m == "trailer section too large" || m == "malformed trailer field") return true;
  // A chunk line beyond 4 KiB.
  if (m == "chunk line too long") return true;
  // A chunk extension's quoted string with control characters (Beast takes any byte there).
  // Likewise when that control character is a LF: ours stops at it as a bare LF.
  if ((m == "malformed chunk size" || m == "malformed chunk: bare LF") &&
      in.find('"') != std::string_view::npos) {
    return true;
  }
  // Beast reads an empty Content-Length list element list ("1,") as itself; so do we, but a
  // value of only commas or white space is refused by both.
  (void)in;
  (void)theirs;
  return false;
}

// Where ours accepts what Beast refuses, on purpose.
bool deliberately_laxer(std::string_view in, const Outcome& theirs) {
  if (near_the_header_limit(in)) return true;
  // Connection values are not checked as token lists (only close and keep-alive are read);
  // Beast refuses a malformed one with bad_value (the only field it says that of).
  if (theirs.beast_error == beast::http::error::bad_value) return true;
  // Framing fields among the trailers: Beast reads them as it reads the head's (a second
  // Transfer-Encoding, a Content-Length with chunked: refused); ours drops every trailer.
  auto head_end = in.find("\r\n\r\n");
  using error = beast::http::error;
  return head_end != std::string_view::npos && theirs.consumed >= head_end + 4 &&
         (theirs.beast_error == error::bad_transfer_encoding ||
          theirs.beast_error == error::bad_content_length ||
          theirs.beast_error == error::multiple_content_length);
}

[[noreturn]] void differ(std::string_view what, std::string_view in, const Outcome& ours,
                         const Outcome& theirs) {
  std::fprintf(stderr,
               "differential: %.*s\n ours: kind %d status %d (%.*s) consumed %zu\n"
               " beast: kind %d status %d consumed %zu\n input: %zu bytes\n",
               static_cast<int>(what.size()), what.data(), ours.kind, ours.status,
               static_cast<int>(ours.message.size()), ours.message.data(), ours.consumed,
               theirs.kind, theirs.status, theirs.consumed, in.size());
  for (unsigned char c : in) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      std::fputc(c, stderr);
    } else {
      std::fprintf(stderr, "\\x%02x", c);
    }
  }
  std::fputc('\n', stderr);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string completed(reinterpret_cast<const char*>(data), size);
  std::string_view in = completed;
  auto ours = run_ours(in);
  auto theirs = run_beast(in);
  if (ours.kind == Outcome::Incomplete || theirs.kind == Outcome::Incomplete) {
    // Beast refuses a bad byte as soon as it sees it, ours once the head is whole: compare
    // the two on the head ended.
    completed += "\r\n\r\n";
    in = completed;
    ours = run_ours(in);
    theirs = run_beast(in);
    if (ours.kind == Outcome::Incomplete || theirs.kind == Outcome::Incomplete) return 0;
  }
  if (ours.kind == Outcome::Error && theirs.kind != Outcome::Error) {
    if (!deliberately_stricter(in, ours, theirs)) differ("only ours refuses", in, ours, theirs);
    return 0;
  }
  if (theirs.kind == Outcome::Error && ours.kind != Outcome::Error) {
    if (!deliberately_laxer(in, theirs)) differ("only Beast refuses", in, ours, theirs);
    return 0;
  }
  if (ours.kind == Outcome::Error) {
    // Both refuse; the status may differ where a request is both malformed and over a limit
    // (the two check in different orders) or breaks a rule only ours has.
    auto limit = [](int status) { return status == 413 || status == 431; };
    if (ours.status != theirs.status && !limit(ours.status) && !limit(theirs.status) &&
        !deliberately_stricter(in, ours, theirs)) {
      differ("different refusals", in, ours, theirs);
    }
    return 0;
  }
  if (ours.kind != theirs.kind) {
    // Ours waits for a whole head, Beast too; a difference here is a bug.
    differ("one done, one incomplete", in, ours, theirs);
  }
  if (ours.kind == Outcome::Incomplete) return 0;
  const auto& a = ours.request;
  const auto& b = theirs.request;
  if (ours.consumed != theirs.consumed) differ("consumed", in, ours, theirs);
  if (a.method != b.method || a.target != b.target || a.path != b.path || a.query != b.query ||
      a.version != b.version || a.body != b.body) {
    differ("request line or body", in, ours, theirs);
  }
  // Beast reads the first Connection field only, ours every one; and Beast reads a
  // Connection among the trailers, which ours drops.
  auto connections = a.headers.count("Connection");
  if (a.keep_alive != b.keep_alive && connections < 2 &&
      b.headers.count("Connection") == connections) {
    differ("keep-alive", in, ours, theirs);
  }
  // Beast adds the trailer fields to the header fields (ours drops them) and puts a repeated
  // field after the last of its name (ours keeps the arrival order): compare the values of
  // each name in order; with trailers, ours must be where Beast's values of a name begin.
  auto by_name = [](const switchboard::http::Headers& headers) {
    std::map<std::string, std::vector<std::string>> fields;
    for (auto [name, value] : headers) {
      std::string lower(name);
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      fields[lower].emplace_back(value);
    }
    return fields;
  };
  auto mine = by_name(a.headers);
  auto beasts = by_name(b.headers);
  if (!a.headers.contains("Transfer-Encoding")) {
    if (mine != beasts) differ("the fields", in, ours, theirs);
    return 0;
  }
  for (const auto& [name, values] : mine) {
    auto it = beasts.find(name);
    if (it == beasts.end() || it->second.size() < values.size() ||
        !std::equal(values.begin(), values.end(), it->second.begin())) {
      differ("the fields (with trailers)", in, ours, theirs);
    }
  }
  return 0;
}
