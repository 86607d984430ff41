// WebSocket framing, per byte: MessageDecoder::feed on whole frames (a server decodes masked
// client frames, a client unmasked server frames) and the encoders that write them
// (append_server_frame unmasked, append_frame masked), at 16 B, 1 KiB and 64 KiB; and
// MessageDecoder::feed_in_place, a server's read path.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "switchboard/ws/frame.hpp"
#include "switchboard/ws/message_decoder.hpp"
#include "switchboard/ws/message_encoder.hpp"

namespace {

using namespace switchboard;

constexpr std::array<std::uint8_t, 4> kMask{0x12, 0x34, 0x56, 0x78};

// Binary, so the figures are framing and masking without UTF-8 validation (BM_DecodeText
// adds it).
std::string payload_of(std::int64_t size) {
  std::string p(static_cast<std::size_t>(size), '\0');
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>('a' + i % 26);
  return p;
}

std::string frame_of(std::int64_t size, bool masked, ws::Opcode opcode) {
  std::string frame;
  ws::append_frame(frame, {.opcode = opcode, .masked = masked, .mask = kMask}, payload_of(size));
  return frame;
}

void decode(benchmark::State& state, bool masked, ws::Opcode opcode) {
  const auto frame = frame_of(state.range(0), masked, opcode);
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(frame.data()),
                                            frame.size());
  ws::MessageDecoder decoder({.role = masked ? ws::Role::Server : ws::Role::Client});
  ws::Event event;
  for (auto _ : state) {
    std::size_t used = decoder.feed(bytes, event);
    if (event.kind != ws::EventKind::Message || used != bytes.size()) {
      state.SkipWithError("the frame did not decode to one message");
      break;
    }
    benchmark::DoNotOptimize(event.payload.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frame.size()));
}

void BM_DecodeMasked(benchmark::State& state) {
  decode(state, true, ws::Opcode::Binary);
}
void BM_DecodeUnmasked(benchmark::State& state) {
  decode(state, false, ws::Opcode::Binary);
}
void BM_DecodeMaskedText(benchmark::State& state) {
  decode(state, true, ws::Opcode::Text);
}

// A server's read path: the frame copied into a read buffer (as the kernel does), then
// decoded there with feed_in_place (unmasked in place, no copy of the payload).
void BM_DecodeMaskedInPlace(benchmark::State& state) {
  const auto frame = frame_of(state.range(0), true, ws::Opcode::Binary);
  std::string buffer(frame.size(), '\0');
  const std::span<std::uint8_t> bytes(reinterpret_cast<std::uint8_t*>(buffer.data()),
                                      buffer.size());
  ws::MessageDecoder decoder;
  ws::Event event;
  for (auto _ : state) {
    std::memcpy(buffer.data(), frame.data(), frame.size());
    std::size_t used = decoder.feed_in_place(bytes, event);
    if (event.kind != ws::EventKind::Message || used != bytes.size()) {
      state.SkipWithError("the frame did not decode to one message");
      break;
    }
    benchmark::DoNotOptimize(event.data().data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frame.size()));
}

void BM_EncodeUnmasked(benchmark::State& state) {
  const auto payload = payload_of(state.range(0));
  std::string out;
  for (auto _ : state) {
    out.clear();
    ws::append_server_frame(out, ws::Opcode::Binary, payload);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_EncodeMasked(benchmark::State& state) {
  const auto payload = payload_of(state.range(0));
  std::string out;
  for (auto _ : state) {
    out.clear();
    ws::append_frame(out, {.opcode = ws::Opcode::Binary, .masked = true, .mask = kMask}, payload);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

// 16 B, 1 KiB, 64 KiB.
void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(16)->Arg(1024)->Arg(64 * 1024);
}

}  // namespace

BENCHMARK(BM_DecodeMasked)->Apply(sizes);
BENCHMARK(BM_DecodeUnmasked)->Apply(sizes);
BENCHMARK(BM_DecodeMaskedText)->Apply(sizes);
BENCHMARK(BM_DecodeMaskedInPlace)->Apply(sizes);
BENCHMARK(BM_EncodeUnmasked)->Apply(sizes);
BENCHMARK(BM_EncodeMasked)->Apply(sizes);
