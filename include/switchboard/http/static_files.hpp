#pragma once
/// A handler that serves the files of a directory (a built web app).

#include <filesystem>
#include <string>

#include "switchboard/http/router.hpp"

namespace switchboard::http {

/// Serves files under `root`: Content-Type by extension, ETag and If-None-Match (304),
/// index.html for directories, and never a file outside root ("..", "%2e%2e", absolute
/// paths, symlinks leading out → 404). Mount with a "*path" route:
///
///     router.get("/*path", static_files("web/dist"));
///
/// With `fallback` set (a single-page app's "index.html"), a request for a missing path without
/// a file extension gets that file instead of 404. Each file is read whole, synchronously, on
/// the shard (for small assets: a file over 64 MiB is 404).

Handler static_files(std::filesystem::path root, std::string index = "index.html",
                     std::string fallback = {});

/// The Content-Type for a file name's extension (application/octet-stream when unknown).
std::string_view mime_type(std::string_view filename);

}  // namespace switchboard::http
