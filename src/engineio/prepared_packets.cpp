#include "switchboard/engineio/server.hpp"
#include "switchboard/ws/prepared_message.hpp"

namespace switchboard::engineio {

std::shared_ptr<const PreparedPackets> PreparedPackets::messages(
    const std::vector<std::pair<bool, std::string>>& messages, bool compress) {
  auto p = std::make_shared<PreparedPackets>();
  p->items_.reserve(messages.size());
  for (const auto& [binary, data] : messages) {
    Item item;
    std::string text;
    if (binary) {
      append_base64_packet(item.polling, data);
    } else {
      append_text_packet(text, PacketType::Message, data);
      item.polling = text;
    }
    item.frame = std::make_shared<const ws::PreparedMessage>(
        binary ? ws::Opcode::Binary : ws::Opcode::Text, binary ? std::string_view(data) : text,
        ws::PrepareOptions{.compress = compress});
    p->items_.push_back(std::move(item));
  }
  return p;
}

}  // namespace switchboard::engineio
