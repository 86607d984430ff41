#include "switchboard/socketio/args.hpp"

#include "switchboard/socketio/packet.hpp"

namespace switchboard::socketio {

void Args::add_binary(std::string bytes) {
  values.push_back(make_placeholder(attachments.size()));
  attachments.push_back(std::move(bytes));
}

const std::string* Args::binary(const boost::json::value& value) const {
  auto index = placeholder_index(value);
  return index && *index < attachments.size() ? &attachments[*index] : nullptr;
}

}  // namespace switchboard::socketio
