// The Socket.IO Admin UI in the chat service: the /admin namespace (socketio::instrument) and
// the UI's built files at /admin/, from the npm package, served here rather than from a CDN.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "chat_service.hpp"
#include "switchboard/http/static_files.hpp"
#include "switchboard/log/logger.hpp"
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

// The package's page loads Roboto from Google Fonts and the icons from jsDelivr. Served from
// here instead: @fontsource/roboto and @mdi/font, npm packages installed beside the UI's
// (`modules`), at /admin/fonts/roboto/ and /admin/fonts/mdi/. Without them the links go
// (the page falls back to sans-serif, the icon buttons are blank): never a CDN.
std::string local_index(const fs::path& dir, const fs::path& modules, bool& fonts_found) {
  std::ifstream in(dir / "index.html", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string html = text.str();
  std::error_code ec;
  fonts_found = fs::exists(modules / "@fontsource" / "roboto" / "400.css", ec) &&
                fs::exists(modules / "@mdi" / "font" / "css" / "materialdesignicons.min.css", ec);
  std::string local;
  if (fonts_found) {
    for (const char* weight : {"100", "300", "400", "500", "700", "900"})
      local += std::string(R"(<link rel="stylesheet" href="fonts/roboto/)") + weight + R"(.css">)";
    local += R"(<link rel="stylesheet" href="fonts/mdi/css/materialdesignicons.min.css">)";
  }
  // Every stylesheet link to another origin goes; the local ones take the first one's place.
  bool placed = false;
  for (std::size_t at = 0; (at = html.find("<link", at)) != std::string::npos;) {
    auto end = html.find('>', at);
    if (end == std::string::npos) break;
    auto tag = std::string_view(html).substr(at, end + 1 - at);
    if (tag.find("href=\"https://") == std::string_view::npos &&
        tag.find("href=\"http://") == std::string_view::npos &&
        tag.find("href=\"//") == std::string_view::npos) {
      at = end + 1;
      continue;
    }
    html.replace(at, end + 1 - at, placed ? std::string() : local);
    at += placed ? 0 : local.size();
    placed = true;
  }
  return html;
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
    log::warn("no Admin UI in its folder (--admin-ui DIR)", {{"dir", dir}});
  }
  auto files = http::static_files(dir, "index.html");
  // dir is <node_modules>/@socket.io/admin-ui/ui/dist.
  const auto modules = fs::path(dir).parent_path().parent_path().parent_path().parent_path();
  bool fonts_found = false;
  auto index = std::make_shared<const std::string>(local_index(dir, modules, fonts_found));
  if (!fonts_found) {
    log::warn(
        "no @fontsource/roboto or @mdi/font beside the Admin UI: its page goes without its fonts "
        "and icons",
        {{"dir", modules.string()}});
  }
  // The fonts' routes first: the router takes the first route that matches.
  http_.router().get("/admin/fonts/roboto/*path",
                     http::static_files(modules / "@fontsource" / "roboto"));
  http_.router().get("/admin/fonts/mdi/*path", http::static_files(modules / "@mdi" / "font"));
  // The page's assets are relative: /admin must become /admin/.
  http_.router().get("/admin/*path", [files, index](http::Exchange ex) {
    const auto& path = ex.request().path;
    if (path == "/admin") {
      auto response = http::Response::empty(301);
      response.headers.set("Location", "/admin/");
      return ex.respond(std::move(response));
    }
    if (path == "/admin/" || path == "/admin/index.html") {
      auto response = http::Response::text(200, *index, "text/html; charset=utf-8");
      response.headers.set("Cache-Control", "no-cache");
      return ex.respond(std::move(response));
    }
    files(std::move(ex));
  });
}

}  // namespace switchboard::app
