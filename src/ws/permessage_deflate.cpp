#include "switchboard/ws/permessage_deflate.hpp"

#include <algorithm>
#include <vector>

#include "ws/text.hpp"

namespace switchboard::ws {
namespace detail {
namespace {

// One parameter of an extension offer: `name` or `name=value` (value unquoted).
struct ExtensionParam {
  std::string_view name;
  std::optional<std::string> value;
};

struct ExtensionOffer {
  std::string_view name;
  std::vector<ExtensionParam> params;
  bool malformed = false;
};

// A cursor over a Sec-WebSocket-Extensions value (RFC 6455 §9.1 grammar).
class ExtensionParser {
 public:
  explicit ExtensionParser(std::string_view text) : text_(text) {}

  std::vector<ExtensionOffer> parse() {
    std::vector<ExtensionOffer> offers;
    for (skip_space(); pos_ < text_.size(); skip_space()) {
      if (peek() == ',') {  // empty list elements are allowed by 1#extension
        ++pos_;
        continue;
      }
      ExtensionOffer offer;
      if (!parse_offer(offer)) {
        offer.malformed = true;
        skip_to_next_offer();
      }
      offers.push_back(std::move(offer));
    }
    return offers;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (peek() == ' ' || peek() == '\t') ++pos_;
  }
  std::string_view token() {
    const size_t start = pos_;
    while (pos_ < text_.size() && is_tchar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  void skip_to_next_offer() {
    bool quoted = false;
    for (; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (quoted && c == '\\')
        ++pos_;
      else if (c == '"')
        quoted = !quoted;
      else if (c == ',' && !quoted)
        break;
    }
  }

  bool parse_offer(ExtensionOffer& offer) {
    offer.name = token();
    if (offer.name.empty()) return false;
    for (skip_space(); peek() == ';'; skip_space()) {
      ++pos_;
      skip_space();
      ExtensionParam param{token(), std::nullopt};
      if (param.name.empty()) return false;
      skip_space();
      if (peek() == '=') {
        ++pos_;
        skip_space();
        param.value = value();
        if (!param.value) return false;
      }
      offer.params.push_back(std::move(param));
    }
    return pos_ == text_.size() || peek() == ',';
  }

  std::optional<std::string> value() {
    if (peek() != '"') {
      std::string_view t = token();
      if (t.empty()) return std::nullopt;
      return std::string(t);
    }
    ++pos_;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && ++pos_ == text_.size()) return std::nullopt;
      out += text_[pos_++];
    }
    if (pos_ == text_.size()) return std::nullopt;
    ++pos_;
    return out;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// "8" to "15", digits only, no leading zero.
std::optional<int> parse_window_bits(std::string_view v) {
  if (v.empty() || v.size() > 2 || v[0] == '0') return std::nullopt;
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < 8 || n > 15) return std::nullopt;
  return n;
}

// What one permessage-deflate offer asks for.
struct DeflateOffer {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  std::optional<int> server_max_window_bits;
  bool client_max_window_bits_offered = false;
  std::optional<int> client_max_window_bits;
};

bool apply_param(const ExtensionParam& p, DeflateOffer& o) {
  auto flag = [&](bool& f) {
    if (f || p.value) return false;  // duplicate, or a value on a flag
    return f = true;
  };
  if (p.name == "server_no_context_takeover") return flag(o.server_no_context_takeover);
  if (p.name == "client_no_context_takeover") return flag(o.client_no_context_takeover);
  if (p.name == "server_max_window_bits") {
    if (o.server_max_window_bits || !p.value) return false;
    o.server_max_window_bits = parse_window_bits(*p.value);
    return o.server_max_window_bits.has_value();
  }
  if (p.name == "client_max_window_bits") {
    if (o.client_max_window_bits_offered) return false;
    o.client_max_window_bits_offered = true;
    if (!p.value) return true;
    o.client_max_window_bits = parse_window_bits(*p.value);
    return o.client_max_window_bits.has_value();
  }
  return false;  // RFC 7692 §7.1: decline offers with unknown parameters
}

DeflateAgreement agree(const DeflateOffer& o, const PermessageDeflateOptions& opt) {
  DeflateAgreement a;
  DeflateParams& p = a.params;
  p.server_no_context_takeover = o.server_no_context_takeover || opt.server_no_context_takeover;
  p.client_no_context_takeover = o.client_no_context_takeover || opt.client_no_context_takeover;
  p.server_max_window_bits = std::min(o.server_max_window_bits.value_or(15),
                                      std::clamp(opt.server_max_window_bits, 8, 15));
  p.client_max_window_bits = 15;
  if (o.client_max_window_bits_offered) {
    p.client_max_window_bits = std::min(o.client_max_window_bits.value_or(15),
                                        std::clamp(opt.client_max_window_bits, 8, 15));
  }
  a.response = "permessage-deflate";
  if (p.server_no_context_takeover) a.response += "; server_no_context_takeover";
  if (p.client_no_context_takeover) a.response += "; client_no_context_takeover";
  if (o.server_max_window_bits || p.server_max_window_bits < 15) {
    a.response += "; server_max_window_bits=" + std::to_string(p.server_max_window_bits);
  }
  if (o.client_max_window_bits_offered && p.client_max_window_bits < 15) {
    a.response += "; client_max_window_bits=" + std::to_string(p.client_max_window_bits);
  }
  return a;
}

}  // namespace
}  // namespace detail

std::optional<DeflateAgreement> negotiate_permessage_deflate(
    std::string_view request_value, const PermessageDeflateOptions& options) {
  if (!options.enabled) return std::nullopt;
  for (const detail::ExtensionOffer& offer : detail::ExtensionParser(request_value).parse()) {
    if (offer.malformed || !detail::iequals(offer.name, "permessage-deflate")) continue;
    detail::DeflateOffer wanted;
    const bool ok = std::all_of(offer.params.begin(), offer.params.end(),
                                [&](const auto& p) { return detail::apply_param(p, wanted); });
    if (ok) return detail::agree(wanted, options);
  }
  return std::nullopt;
}

}  // namespace switchboard::ws
