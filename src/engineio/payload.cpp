#include <switchboard/engineio/payload.hpp>

#include <algorithm>

namespace switchboard::engineio {

void append_payload(std::string& out, std::span<const Packet> packets) {
  for (std::size_t i = 0; i < packets.size(); ++i) {
    if (i > 0) out += record_separator;
    append_polling_packet(out, packets[i]);
  }
}

void append_payload_packet(std::string& out, const Packet& packet) {
  if (!out.empty()) out += record_separator;
  append_polling_packet(out, packet);
}

boost::system::result<std::vector<Packet>> decode_payload(std::string_view body,
                                                          const PayloadLimits& limits) {
  if (body.size() > limits.max_bytes) return DecodeError::PayloadTooLarge;
  // Count first: a payload over the packet limit is refused before anything is allocated.
  const auto parts =
      static_cast<std::size_t>(std::count(body.begin(), body.end(), record_separator)) + 1;
  if (parts > limits.max_packets) return DecodeError::TooManyPackets;
  std::vector<Packet> packets;
  packets.reserve(parts);
  while (true) {
    const std::size_t end = body.find(record_separator);
    auto packet = decode_packet(body.substr(0, end));
    if (!packet) return packet.error();
    packets.push_back(std::move(*packet));
    if (end == std::string_view::npos) break;
    body.remove_prefix(end + 1);
  }
  return packets;
}

}  // namespace switchboard::engineio
