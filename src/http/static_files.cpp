#include "switchboard/http/static_files.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

namespace switchboard::http {

namespace fs = std::filesystem;

std::string_view mime_type(std::string_view filename) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"},
  };
  auto dot = filename.rfind('.');
  if (dot != std::string_view::npos) {
    auto ext = filename.substr(dot);
    for (auto& [e, type] : kTypes) {
      if (iequals(e, ext)) return type;
    }
  }
  return "application/octet-stream";
}

namespace {

constexpr std::uintmax_t kMaxFileSize = 64 << 20;

// Resolves a request path under root; nullopt when it is not a regular file inside root.
std::optional<fs::path> resolve(const fs::path& root, std::string_view rel,
                                const std::string& index) {
  if (rel.find('\0') != std::string_view::npos || rel.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  fs::path candidate = root;
  std::string_view rest = rel;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto seg = rest.substr(0, slash);
    if (seg == "..") return std::nullopt;
    if (!seg.empty() && seg != ".") candidate /= std::string(seg);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  std::error_code ec;
  if (fs::is_directory(candidate, ec)) candidate /= index;
  auto real = fs::canonical(candidate, ec);
  if (ec || !fs::is_regular_file(real, ec)) return std::nullopt;
  // Symlinks are followed by canonical(): the target must still be inside root.
  auto [r, p] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
  if (r != root.end()) return std::nullopt;
  return real;
}

std::string etag_of(const fs::path& file, std::uintmax_t size) {
  std::error_code ec;
  auto mtime = fs::last_write_time(file, ec).time_since_epoch().count();
  std::ostringstream out;
  out << "\"" << std::hex << size << "-" << mtime << "\"";
  return out.str();
}

}  // namespace

Handler static_files(fs::path root, std::string index, std::string fallback) {
  std::error_code ec;
  auto canonical_root = fs::canonical(root, ec);
  if (ec) canonical_root = fs::absolute(root);
  return [root = std::move(canonical_root), index = std::move(index),
          fallback = std::move(fallback)](Exchange ex) {
    auto& req = ex.request();
    auto rel = req.param("path");
    auto file = resolve(root, rel, index);
    auto last = rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
    if (!file && !fallback.empty() && last.find('.') == std::string_view::npos) {
      file = resolve(root, fallback, index);
    }
    std::error_code ec;
    auto size = file ? fs::file_size(*file, ec) : 0;
    if (!file || ec || size > kMaxFileSize) {
      ex.respond(Response::error(404, "not found"));
      return;
    }
    auto etag = etag_of(*file, size);
    auto if_none_match = req.header("If-None-Match");
    if (!if_none_match.empty() && (has_token(if_none_match, etag) || if_none_match == "*")) {
      Response r = Response::empty(304);
      r.headers.add("ETag", etag);
      ex.respond(std::move(r));
      return;
    }
    std::ifstream in(*file, std::ios::binary);
    std::string body(size, '\0');
    if (!in.read(body.data(), static_cast<std::streamsize>(size))) {
      ex.respond(Response::error(404, "not found"));
      return;
    }
    Response r = Response::text(200, std::move(body), mime_type(file->filename().string()));
    r.headers.add("ETag", etag);
    r.headers.add("Cache-Control", "no-cache");
    r.headers.add("X-Content-Type-Options", "nosniff");
    ex.respond(std::move(r));
  };
}

}  // namespace switchboard::http
