// Socket.IO v5 packets, per byte of the argument: an EVENT `["echo", <argument>]` encoded
// (from a JSON value, and by the broadcast fast path encode_event from serialised arguments)
// and decoded, with a string argument (text) or a binary one (an attachment: `451-[...]` plus
// one binary message), at 16 B, 1 KiB and 64 KiB.
#include <benchmark/benchmark.h>

#include <string>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/socketio/parser.hpp"

namespace {

using namespace switchboard;

std::string data_of(std::int64_t size) {
  std::string d(static_cast<std::size_t>(size), '\0');
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<char>('a' + i % 26);
  return d;
}

socketio::Packet event_of(std::int64_t size, bool binary) {
  socketio::Packet packet{.type = socketio::PacketType::Event};
  auto data = data_of(size);
  packet.data = boost::json::array{
      "echo", binary ? packet.attach(std::move(data)) : boost::json::value(data)};
  return packet;
}

void encode(benchmark::State& state, bool binary) {
  const auto packet = event_of(state.range(0), binary);
  std::string out;
  for (auto _ : state) {
    out.clear();
    socketio::encode(out, packet);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_SocketIoEncodeText(benchmark::State& s) {
  encode(s, false);
}
void BM_SocketIoEncodeBinary(benchmark::State& s) {
  encode(s, true);
}

void BM_SocketIoEncodeEventSerialised(benchmark::State& state) {
  const auto args = boost::json::serialize(boost::json::value(data_of(state.range(0))));
  std::string out;
  for (auto _ : state) {
    out.clear();
    socketio::encode_event(out, "/", "echo", args);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void decode(benchmark::State& state, bool binary) {
  const auto packet = event_of(state.range(0), binary);
  std::string text;
  socketio::encode(text, packet);
  socketio::Decoder decoder;
  for (auto _ : state) {
    auto step = decoder.feed_text(text);
    if (step && binary && !*step) step = decoder.feed_binary(packet.attachments[0]);
    if (!step || !*step) {
      state.SkipWithError("the packet did not decode");
      break;
    }
    benchmark::DoNotOptimize((**step).data);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_SocketIoDecodeText(benchmark::State& s) {
  decode(s, false);
}
void BM_SocketIoDecodeBinary(benchmark::State& s) {
  decode(s, true);
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(16)->Arg(1024)->Arg(64 * 1024);
}

}  // namespace

BENCHMARK(BM_SocketIoEncodeText)->Apply(sizes);
BENCHMARK(BM_SocketIoEncodeBinary)->Apply(sizes);
BENCHMARK(BM_SocketIoEncodeEventSerialised)->Apply(sizes);
BENCHMARK(BM_SocketIoDecodeText)->Apply(sizes);
BENCHMARK(BM_SocketIoDecodeBinary)->Apply(sizes);
