#pragma once
// Starts a server as a child process with `--port P` and waits for its
// "listening on http(s)://127.0.0.1:PORT" line; stops it (SIGTERM, by pid) on destruction.

#include <string>
#include <vector>

namespace switchboard::test {

class ServerProcess {
 public:
  /// Runs `argv` followed by `--port port`; throws std::runtime_error when the server does
  /// not say it listens within 10 s.
  ServerProcess(std::vector<std::string> argv, int port = 0);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// SIGTERM and wait.
  void stop();
  /// SIGTERM without waiting (let the caller's clients answer the server's goodbyes).
  void terminate();
  /// True once the process has exited (reaped without blocking).
  bool exited();

 private:
  int pid_ = -1;
  int port_ = 0;
  int out_ = -1;
};

}  // namespace switchboard::test
