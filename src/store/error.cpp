#include "switchboard/store/error.hpp"

namespace switchboard::store {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "switchboard.store"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::InvalidRoomName:
        return "room names are 1-32 characters from a-z, 0-9, '_' and '-'";
      case Errc::InvalidName:
        return "display names are 1-32 characters, without control or format characters";
      case Errc::InvalidUtf8:
        return "text is not valid UTF-8";
      case Errc::EmptyText:
        return "message is empty";
      case Errc::TextTooLong:
        return "message is longer than 4000 characters";
      case Errc::InvalidLimit:
        return "limit must be between 1 and 200";
      case Errc::RoomNotFound:
        return "no such room";
      case Errc::TooManyRooms:
        return "the maximum number of rooms is reached";
      case Errc::Overloaded:
        return "the history store is overloaded";
      case Errc::Closed:
        return "the history store is closed";
      case Errc::Unwritable:
        return "the data directory is not writable";
      case Errc::Corrupt:
        return "the database file is corrupt or not a database";
      case Errc::DiskFull:
        return "the disk is full";
      case Errc::UnsupportedSchema:
        return "the database was written by a newer version";
      case Errc::Io:
        return "database I/O error";
      case Errc::UserNotFound:
        return "no such user";
      case Errc::Unavailable:
        return "the history backend is unavailable";
    }
    return "unknown store error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

Error make_error(Errc e) {
  std::error_code code = e;
  return {code, code.message()};
}

}  // namespace switchboard::store
