// The chat's client inputs: the REST body, the raw WebSocket frame and the Socket.IO events'
// first argument (join, message, history, rename), plus the validators they use. The first byte
// picks what the rest is fed to. Properties: nothing crashes or throws; whatever is accepted is
// what the store accepts (a valid room name, text that validates, a name that normalises to
// itself: NFC, no control or format characters, 1-32 code points); a refusal has a message.

#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "chat_input.hpp"
#include "switchboard/store/validation.hpp"

namespace {

using namespace switchboard;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_name(const std::string& name) {
  auto again = store::normalize_name(name);
  check(again && *again == name);  // normalised names are fixed points
}

void check_text(const std::string& text) {
  check(!store::validate_text(text));
}

template <class T>
void check_refusal(const app::Parsed<T>& p) {
  if (!p) check(!p.error.empty());
}

void events(const boost::json::value& arg) {
  if (auto join = app::parse_join(arg)) {
    check(store::valid_room_name(join->room));
  } else {
    check_refusal(join);
  }
  if (auto message = app::parse_message(arg)) {
    check_text(message->text);
  } else {
    check_refusal(message);
  }
  if (auto history = app::parse_history(arg)) {
    check(store::valid_room_name(history->room));
    check(history->limit >= 1 && history->limit <= 200);
  } else {
    check_refusal(history);
  }
  auto* name = arg.is_object() ? arg.as_object().if_contains("name") : nullptr;
  if (auto renamed = app::parse_name(name)) check_name(*renamed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      if (auto post = app::parse_post(input)) {
        check_name(post->user);
        check_text(post->text);
      } else {
        check_refusal(post);
      }
      break;
    case 1:
      if (auto text = app::parse_ws_message(input)) {
        check_text(*text);
      } else {
        check_refusal(text);
      }
      break;
    case 2: {
      boost::system::error_code ec;
      auto arg = boost::json::parse(input, ec);
      if (!ec) events(arg);
      break;
    }
    default:
      // Raw strings: a ?name= query, a room name from the path.
      if (auto name = app::parse_name(input)) check_name(*name);
      if (store::valid_room_name(input)) check(input.size() >= 1 && input.size() <= 32);
      break;
  }
  return 0;
}
