#include "server_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace switchboard::test {

ServerProcess::ServerProcess(std::vector<std::string> argv, int port) {
  argv.push_back("--port");
  argv.push_back(std::to_string(port));
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  std::string output;
  // "listening on http://HOST:PORT" (no std::regex: GCC 12 warns inside it at -O1).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto port_in = [&output]() -> std::optional<int> {
    auto at = output.find("listening on http");  // http:// or https://
    if (at == std::string::npos) return std::nullopt;
    at = output.find("://", at);
    if (at == std::string::npos) return std::nullopt;
    auto colon = output.find(':', at + 3);
    auto end = output.find_first_not_of("0123456789", colon + 1);
    if (colon == std::string::npos || end == std::string::npos || end == colon + 1) {
      return std::nullopt;
    }
    return std::stoi(output.substr(colon + 1, end - colon - 1));
  };
  while (!port_in()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{.fd = fds[0], .events = POLLIN};
    char buf[512];
    ssize_t n = 0;
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0 ||
        (n = read(fds[0], buf, sizeof buf)) <= 0) {
      out_ = fds[0];
      stop();
      throw std::runtime_error("server did not start: " + output);
    }
    output.append(buf, static_cast<std::size_t>(n));
  }
  port_ = *port_in();
  out_ = fds[0];  // kept open until stop, so later writes of the server do not fail
}

ServerProcess::~ServerProcess() {
  stop();
}

void ServerProcess::terminate() {
  if (pid_ > 0) kill(pid_, SIGTERM);
}

bool ServerProcess::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
  pid_ = -1;
  if (out_ >= 0) close(out_);
  out_ = -1;
  return true;
}

void ServerProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (out_ >= 0) close(out_);
  out_ = -1;
}

}  // namespace switchboard::test
