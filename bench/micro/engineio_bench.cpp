// Engine.IO v4 packets, per byte of data: a message packet encoded and decoded as the
// WebSocket transport carries it (text: `4` + data; binary: the raw bytes) and as polling
// carries binary (`b` + base64), at 16 B, 1 KiB and 64 KiB.
#include <benchmark/benchmark.h>

#include <string>

#include "switchboard/engineio/packet.hpp"

namespace {

using namespace switchboard;

std::string data_of(std::int64_t size) {
  std::string d(static_cast<std::size_t>(size), '\0');
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<char>('a' + i % 26);
  return d;
}

void encode(benchmark::State& state, bool binary, bool polling) {
  const engineio::Packet packet{.data = data_of(state.range(0)), .binary = binary};
  std::string out;
  for (auto _ : state) {
    out.clear();
    polling ? engineio::append_polling_packet(out, packet)
            : engineio::append_websocket_packet(out, packet);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void decode(benchmark::State& state, bool binary, bool polling) {
  const engineio::Packet packet{.data = data_of(state.range(0)), .binary = binary};
  std::string wire;
  polling ? engineio::append_polling_packet(wire, packet)
          : engineio::append_websocket_packet(wire, packet);
  for (auto _ : state) {
    auto decoded =
        polling ? engineio::decode_packet(wire) : engineio::decode_websocket_frame(wire, binary);
    if (!decoded || decoded->data.size() != packet.data.size()) {
      state.SkipWithError("the packet did not decode");
      break;
    }
    benchmark::DoNotOptimize(decoded->data.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_EngineIoEncodeText(benchmark::State& s) {
  encode(s, false, false);
}
void BM_EngineIoEncodeBinary(benchmark::State& s) {
  encode(s, true, false);
}
void BM_EngineIoEncodeBinaryBase64(benchmark::State& s) {
  encode(s, true, true);
}
void BM_EngineIoDecodeText(benchmark::State& s) {
  decode(s, false, false);
}
void BM_EngineIoDecodeBinary(benchmark::State& s) {
  decode(s, true, false);
}
void BM_EngineIoDecodeBinaryBase64(benchmark::State& s) {
  decode(s, true, true);
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(16)->Arg(1024)->Arg(64 * 1024);
}

}  // namespace

BENCHMARK(BM_EngineIoEncodeText)->Apply(sizes);
BENCHMARK(BM_EngineIoEncodeBinary)->Apply(sizes);
BENCHMARK(BM_EngineIoEncodeBinaryBase64)->Apply(sizes);
BENCHMARK(BM_EngineIoDecodeText)->Apply(sizes);
BENCHMARK(BM_EngineIoDecodeBinary)->Apply(sizes);
BENCHMARK(BM_EngineIoDecodeBinaryBase64)->Apply(sizes);
