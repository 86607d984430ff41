// Fuzzes the HTTP/1.1 request parser: the input, re-chunked by its first byte, is fed as a
// stream of pipelined requests; every request that completes is taken apart like a handler
// would (query parameters, headers). Must never crash, leak or hit undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "http/request_parser.hpp"

using switchboard::http::detail::RequestParser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t chunk = 1 + data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::optional<RequestParser> parser(std::in_place, 4096);
  std::string pending;
  while (!in.empty() || !pending.empty()) {
    auto take = std::min(chunk, in.size());
    pending.append(in.substr(0, take));
    in.remove_prefix(take);
    RequestParser::Status status;
    auto used = parser->feed(pending, status);
    pending.erase(0, used);
    if (status == RequestParser::Status::Error) break;
    if (status == RequestParser::Status::HeaderDone && !parser->set_body_limit(1024)) break;
    if (status == RequestParser::Status::Done || parser->done()) {
      auto request = parser->take_request();
      (void)request.query_param("a");
      (void)request.header("Host");
      parser.emplace(4096);
    }
    if (used == 0 && take == 0) break;
  }
  return 0;
}
