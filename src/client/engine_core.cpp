#include "client/engine_core.hpp"

#include <switchboard/engineio/payload.hpp>

#include <boost/json/parse.hpp>

#include <algorithm>

namespace switchboard::client::detail {

std::optional<OpenParams> parse_open(std::string_view json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.as_object();
  OpenParams p;
  const auto* sid = o.if_contains("sid");
  const auto* interval = o.if_contains("pingInterval");
  const auto* timeout = o.if_contains("pingTimeout");
  if (!sid || !sid->is_string() || !interval || !timeout) return std::nullopt;
  auto as_u64 = [](const boost::json::value& v) -> std::optional<std::uint64_t> {
    if (v.is_uint64()) return v.as_uint64();
    if (v.is_int64() && v.as_int64() >= 0) return static_cast<std::uint64_t>(v.as_int64());
    return std::nullopt;
  };
  auto i = as_u64(*interval), t = as_u64(*timeout);
  if (!i || !t) return std::nullopt;
  p.sid = std::string(sid->as_string());
  p.ping_interval = std::chrono::milliseconds(*i);
  p.ping_timeout = std::chrono::milliseconds(*t);
  if (const auto* up = o.if_contains("upgrades"); up && up->is_array()) {
    for (const auto& u : up->as_array())
      if (u.is_string()) p.upgrades.emplace_back(u.as_string());
  }
  if (const auto* mp = o.if_contains("maxPayload"))
    if (auto m = as_u64(*mp); m && *m > 0) p.max_payload = *m;
  return p;
}

EngineStep EngineCore::receive(const engineio::Packet& packet, Clock::time_point now) {
  EngineStep step;
  if (state_ == State::Closed) return step;
  using engineio::PacketType;
  if (state_ == State::Opening) {
    auto params = packet.type == PacketType::Open ? parse_open(packet.data) : std::nullopt;
    if (!params) {
      state_ = State::Closed;
      step.closed = "parse error";
      return step;
    }
    params_ = std::move(*params);
    state_ = State::Open;
    deadline_ = now + params_.ping_interval + params_.ping_timeout;
    step.opened = true;
    return step;
  }
  switch (packet.type) {
    case PacketType::Ping:  // v4: the server pings, we answer (PROTOCOL.md §4 item 20)
      deadline_ = now + params_.ping_interval + params_.ping_timeout;
      outbox_.push_back({.type = PacketType::Pong, .data = packet.data});
      break;
    case PacketType::Message:
      step.messages.push_back(packet);
      break;
    case PacketType::Close:
      state_ = State::Closed;
      step.closed = "transport close";
      break;
    case PacketType::Noop:
    case PacketType::Pong:
      break;
    case PacketType::Open:
    case PacketType::Upgrade:
      state_ = State::Closed;
      step.closed = "parse error";
      break;
  }
  return step;
}

void EngineCore::send_message(std::string data, bool binary) {
  outbox_.push_back(
      {.type = engineio::PacketType::Message, .data = std::move(data), .binary = binary});
}

std::vector<engineio::Packet> EngineCore::take_outbox() {
  std::vector<engineio::Packet> out(std::make_move_iterator(outbox_.begin()),
                                    std::make_move_iterator(outbox_.end()));
  outbox_.clear();
  return out;
}

std::string EngineCore::take_polling_payload() {
  std::string payload;
  while (!outbox_.empty()) {
    std::string part;
    engineio::append_polling_packet(part, outbox_.front());
    // Keep within maxPayload (PROTOCOL.md §2 item 13), but always send at least one packet.
    if (!payload.empty() && payload.size() + 1 + part.size() > params_.max_payload) break;
    if (!payload.empty()) payload += engineio::record_separator;
    payload += part;
    outbox_.pop_front();
  }
  return payload;
}

bool EngineCore::check_timeout(Clock::time_point now) {
  if (state_ != State::Open || now < deadline_) return false;
  state_ = State::Closed;
  return true;
}

void EngineCore::close() {
  if (state_ == State::Open) outbox_.push_back({.type = engineio::PacketType::Close});
  state_ = State::Closed;
}

bool EngineCore::can_upgrade() const {
  return std::find(params_.upgrades.begin(), params_.upgrades.end(), "websocket") !=
         params_.upgrades.end();
}

}  // namespace switchboard::client::detail
