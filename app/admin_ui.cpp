// The Socket.IO Admin UI in the chat service: the /admin namespace (socketio::instrument) and
// the UI's built files at /admin/, from the npm package, served here rather than from a CDN.
#include <cstdio>
#include <filesystem>

#include "chat_service.hpp"
#include "switchboard/http/static_files.hpp"
#include "switchboard/socketio/admin.hpp"

namespace switchboard::app {

namespace {

namespace fs = std::filesystem;

// The UI's files: --admin-ui, else @socket.io/admin-ui in the node_modules of the repository
// that holds the web UI (<web>/../../node_modules), else in ./node_modules.
std::string find_admin_ui(const Config& config) {
  if (!config.admin_ui.empty()) return config.admin_ui;
  const fs::path package = fs::path("node_modules") / "@socket.io" / "admin-ui" / "ui" / "dist";
  std::error_code ec;
  auto web = fs::absolute(config.web, ec);
  for (const auto& dir : {web.parent_path().parent_path() / package, package}) {
    if (fs::exists(dir / "index.html", ec)) return dir.string();
  }
  return package.string();
}

}  // namespace

void ChatService::setup_admin() {
  if (config_.admin_password_hash.empty()) return;
  socketio::instrument(
      io_, {.auth = socketio::AdminBasicAuth{.username = config_.admin_user,
                                             .password_hash = config_.admin_password_hash},
            .readonly = config_.admin_readonly,
            .mode = config_.admin_production ? socketio::AdminMode::Production
                                             : socketio::AdminMode::Development});
  auto dir = find_admin_ui(config_);
  if (!fs::exists(fs::path(dir) / "index.html")) {
    std::fprintf(stderr, "switchboard: warning: no Admin UI in %s (--admin-ui DIR)\n", dir.c_str());
  }
  auto files = http::static_files(dir, "index.html");
  // The page's assets are relative: /admin must become /admin/.
  http_.router().get("/admin/*path", [files](http::Exchange ex) {
    if (ex.request().path == "/admin") {
      auto response = http::Response::empty(301);
      response.headers.set("Location", "/admin/");
      return ex.respond(std::move(response));
    }
    files(std::move(ex));
  });
}

}  // namespace switchboard::app
