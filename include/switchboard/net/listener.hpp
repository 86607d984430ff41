#pragma once
/// SO_REUSEPORT acceptors, one per shard, all on the same port, which no other process may
/// share.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "switchboard/net/stream.hpp"

namespace switchboard::net {

class Runtime;
class TlsContext;

/// Where and how to listen.
struct ListenOptions {
  /// The local address to bind, IPv4 or IPv6 in numeric form ("127.0.0.1", "::"); no names.
  std::string address = "0.0.0.0";
  /// 0 picks a free port (every shard then shares the one picked).
  std::uint16_t port = 0;
  /// The kernel's queue of connections not accepted yet, per shard (listen(2)).
  int backlog = 1024;
  /// When set, every accepted connection is TLS; its handshake must finish in time.
  std::shared_ptr<TlsContext> tls;
  /// How long a TLS handshake may take; a connection that fails or overruns it is closed
  /// without reaching on_accept (and without a log line).
  std::chrono::milliseconds tls_handshake_timeout{10000};
};

/// Accepts connections on every shard of a runtime. on_accept runs on the accepting shard with
/// a ready stream (TLS handshake done). Closed by close() or when a shutdown begins; the
/// pending accepts keep it alive, so dropping the pointer start() gave does not close it.
class Listener {
 public:
  /// Takes an accepted stream, on the shard that owns it; it must not throw.
  using AcceptHandler = std::function<void(std::unique_ptr<Stream>)>;

  /// Binds and starts accepting; throws std::system_error when the address cannot be bound,
  /// among others when another process already listens on the port (address_in_use), even
  /// one that set SO_REUSEPORT: the shards of one process share a port, processes do not.
  /// An address that does not parse throws boost::system::system_error. Call it before
  /// Runtime::run() or from any thread while it runs.
  static std::shared_ptr<Listener> start(Runtime& runtime, const ListenOptions& options,
                                         AcceptHandler on_accept);
  /// Destroyed once closed and its last pending accept has ended.
  virtual ~Listener() = default;
  /// The bound port (useful with port 0).
  virtual std::uint16_t port() const = 0;
  /// Stops accepting on every shard. Thread-safe.
  virtual void close() = 0;
};

/// Server certificate and key for TLS (OpenSSL), shared by every listener given it.
class TlsContext {
 public:
  /// Loads a PEM certificate chain and its private key; throws std::runtime_error naming the
  /// file that cannot be read or parsed.
  static std::shared_ptr<TlsContext> from_files(const std::string& cert_chain_file,
                                                const std::string& private_key_file);
  /// Frees the OpenSSL context, once no listener holds it (each keeps its ListenOptions).

  virtual ~TlsContext() = default;
};

}  // namespace switchboard::net
