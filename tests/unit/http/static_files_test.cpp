#include "switchboard/http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/background_runtime.hpp"
#include "support/raw_client.hpp"
#include "switchboard/http/server.hpp"

namespace switchboard::http {
namespace {

namespace fs = std::filesystem;
using test::RawClient;
using test::status_of;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("sb-static-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "root" / "css");
    std::ofstream(base_ / "root" / "index.html") << "<h1>home</h1>";
    std::ofstream(base_ / "root" / "css" / "site.css") << "body{}";
    std::ofstream(base_ / "secret.txt") << "secret";
    fs::create_symlink(base_ / "secret.txt", base_ / "root" / "link.txt");
    server_ = std::make_unique<Server>(rt_.runtime);
    server_->router().get("/*path", static_files(base_ / "root"));
    server_->listen({.address = "127.0.0.1", .port = 0});
    rt_.start();
  }
  void TearDown() override {
    rt_.stop();
    fs::remove_all(base_);
  }
  std::string fetch(const std::string& target, const std::string& extra = "") {
    RawClient c(server_->port());
    c.send("GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n");
    return c.read_response();
  }

  fs::path base_;
  test::BackgroundRuntime rt_;
  std::unique_ptr<Server> server_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirContentType) {
  auto r = fetch("/css/site.css");
  EXPECT_EQ(status_of(r), 200);
  EXPECT_EQ(test::header_of(r, "Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(test::body_of(r), "body{}");
  EXPECT_EQ(test::body_of(fetch("/")), "<h1>home</h1>");
}

TEST_F(StaticFilesTest, AnswersNotModifiedForAMatchingEtag) {
  auto etag = test::header_of(fetch("/index.html"), "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(status_of(fetch("/index.html", "If-None-Match: " + etag + "\r\n")), 304);
  EXPECT_EQ(status_of(fetch("/index.html", "If-None-Match: \"other\"\r\n")), 200);
}

TEST_F(StaticFilesTest, NeverServesAnythingOutsideTheRoot) {
  for (std::string target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/css/%2E%2E/%2e%2e/secret.txt", "/link.txt",
        "//etc/passwd", "/%2fetc%2fpasswd", "/missing.txt", "/css/..%5c..%5csecret.txt"}) {
    EXPECT_EQ(status_of(fetch(target)), 404) << target;
  }
}

}  // namespace
}  // namespace switchboard::http
