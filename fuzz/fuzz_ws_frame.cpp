// Fuzzes the WebSocket message decoder. The first byte picks the options (role, deflate,
// context takeover, limit) and a chunking seed; the rest is fed whole and then re-chunked,
// and both runs must yield the same events; so must a whole run through feed_in_place (which
// unmasks whole frames in a copy of the input and hands them out as views).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "switchboard/ws/message_decoder.hpp"
#include "switchboard/ws/utf8_validator.hpp"

namespace {

using namespace switchboard::ws;

struct Seen {
  EventKind kind;
  Opcode opcode;
  std::string payload;
  CloseCode code;
  int error;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> run(const DecoderOptions& options, std::span<const uint8_t> in, uint32_t seed,
                      bool in_place = false) {
  MessageDecoder decoder(options);
  std::vector<Seen> seen;
  Event event;
  while (!in.empty()) {
    // A tiny LCG picks the next chunk size; seed 0 feeds everything at once.
    size_t chunk = in.size();
    if (seed != 0) {
      seed = seed * 1103515245u + 12345u;
      chunk = 1 + (seed >> 16) % 17;
    }
    std::vector<uint8_t> copy(in.begin(), in.begin() + std::min(chunk, in.size()));
    std::span<uint8_t> piece(copy);
    in = in.subspan(piece.size());
    while (!piece.empty()) {
      piece = piece.subspan(in_place ? decoder.feed_in_place(piece, event)
                                     : decoder.feed(std::span<const uint8_t>(piece), event));
      if (event.kind == EventKind::None) continue;
      if (event.in_place) {
        const auto* first = reinterpret_cast<const uint8_t*>(event.view.data());
        if (first < copy.data() || first + event.view.size() > copy.data() + copy.size()) {
          std::abort();  // a view outside the buffer given
        }
        event.payload.assign(event.view);
      }
      if (event.kind == EventKind::Message) {
        if (event.payload.size() > options.max_message_size) std::abort();
        if (event.opcode == Opcode::Text && !is_valid_utf8(event.payload)) std::abort();
      }
      seen.push_back({event.kind, event.opcode, std::move(event.payload), event.close_code,
                      event.error.value()});
    }
  }
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t choice = data[0];
  DecoderOptions options{.max_message_size = (choice & 0x08) ? 1024u : 1u << 20,
                         .role = (choice & 0x01) ? Role::Client : Role::Server};
  if (choice & 0x02) {
    const bool no_takeover = (choice & 0x04) != 0;
    const int bits = 8 + ((choice >> 4) & 7);
    options.permessage_deflate = DeflateParams{.server_no_context_takeover = no_takeover,
                                               .client_no_context_takeover = no_takeover,
                                               .server_max_window_bits = bits,
                                               .client_max_window_bits = bits};
  }
  const std::span<const uint8_t> in(data + 1, size - 1);
  const auto whole = run(options, in, 0);
  if (run(options, in, 0, true) != whole) std::abort();
  const auto chunked = run(options, in, 1u + (choice >> 4));
  if (whole == chunked) return 0;
  // zlib checks a distance against the history it holds, which includes the current output
  // buffer: with a window under 15 bits a too-distant reference can pass in one chunking and
  // fail in another (see Inflater). Only that may differ.
  const bool small_window =
      options.permessage_deflate && options.permessage_deflate->client_max_window_bits < 15;
  const auto [a, b] = std::mismatch(whole.begin(), whole.end(), chunked.begin(), chunked.end());
  auto bad_data = [&](auto it, const auto& v) {
    return it != v.end() && it->error == static_cast<int>(Error::BadCompressedData);
  };
  if (!small_window || !(bad_data(a, whole) || bad_data(b, chunked))) std::abort();
  return 0;
}
