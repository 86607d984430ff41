#include "switchboard/ws/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>

#include "ws/text.hpp"

namespace switchboard::ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 §1.3

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool has_token(std::string_view list, std::string_view token) {
  return detail::any_list_element(list,
                                  [&](std::string_view e) { return detail::iequals(e, token); });
}

HandshakeResult refuse(int status, std::string_view reason) {
  HandshakeResult result;
  result.status = status;
  result.reason = reason;
  return result;
}

std::string_view status_text(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 426:
      return "Upgrade Required";
    default:
      return "Error";
  }
}

// SHA-1 with the algorithm fetched once and one digest context, per thread. OpenSSL 3's
// one-shot SHA1() fetches the algorithm from the default library context on every call (a
// lookup under locks) and allocates a context: 5,500 of the 8,800 instructions it took per
// handshake (docs/decisions/022-reactor.md).
class Sha1 {
 public:
  Sha1() : md_(EVP_MD_fetch(nullptr, "SHA1", nullptr)), ctx_(EVP_MD_CTX_new()) {}
  ~Sha1() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;

  /// The digest of `a` then `b` into `out` (SHA_DIGEST_LENGTH bytes); false if OpenSSL failed.
  bool digest(std::string_view a, std::string_view b, unsigned char* out) {
    unsigned int size = 0;
    return md_ != nullptr && ctx_ != nullptr && EVP_DigestInit_ex2(ctx_, md_, nullptr) == 1 &&
           EVP_DigestUpdate(ctx_, a.data(), a.size()) == 1 &&
           EVP_DigestUpdate(ctx_, b.data(), b.size()) == 1 &&
           EVP_DigestFinal_ex(ctx_, out, &size) == 1 && size == SHA_DIGEST_LENGTH;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

Sha1& thread_sha1() {
  thread_local Sha1 sha1;
  return sha1;
}

}  // namespace

std::string accept_key(std::string_view key) {
  key = detail::trim(key);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest;
  if (!thread_sha1().digest(key, kGuid, digest.data())) {
    std::string input;
    input.append(key).append(kGuid);
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  }
  std::array<unsigned char, 4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1> encoded;
  const int n = EVP_EncodeBlock(encoded.data(), digest.data(), SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<size_t>(n));
}

bool is_valid_key(std::string_view key) {
  key = detail::trim(key);
  // 16 bytes encode to 22 characters and "==".
  return key.size() == 24 && key.substr(22) == "==" &&
         std::all_of(key.begin(), key.begin() + 22, is_base64_char);
}

std::optional<std::string> select_subprotocol(std::string_view offered,
                                              std::span<const std::string> supported) {
  std::optional<std::string> chosen;
  detail::any_list_element(offered, [&](std::string_view e) {
    if (std::find(supported.begin(), supported.end(), e) == supported.end()) return false;
    chosen.emplace(e);
    return true;
  });
  return chosen;
}

HandshakeResult accept_upgrade(const UpgradeRequest& request, const HandshakeOptions& options) {
  if (request.method != "GET") return refuse(400, "method must be GET");
  if (request.version_major < 1 || (request.version_major == 1 && request.version_minor < 1)) {
    return refuse(400, "HTTP/1.1 or later required");
  }
  if (!has_token(request.upgrade, "websocket")) return refuse(400, "Upgrade must be websocket");
  if (!has_token(request.connection, "upgrade")) {
    return refuse(400, "Connection must include Upgrade");
  }
  if (!is_valid_key(request.key)) return refuse(400, "invalid Sec-WebSocket-Key");
  // RFC 6455 §11.3.5: the version appears once in a request ("13, 13" is two).
  if (request.version.find(',') != std::string_view::npos) {
    return refuse(400, "more than one Sec-WebSocket-Version");
  }
  if (detail::trim(request.version) != "13") {
    return refuse(426, "Sec-WebSocket-Version must be 13");
  }
  HandshakeResult result;
  result.accept = accept_key(request.key);
  if (auto protocol = select_subprotocol(request.protocol, options.subprotocols)) {
    result.protocol = std::move(*protocol);
  }
  result.deflate = negotiate_permessage_deflate(request.extensions, options.permessage_deflate);
  return result;
}

std::string handshake_response(const HandshakeResult& result) {
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  out += result.accept;
  out += "\r\n";
  if (!result.protocol.empty()) out += "Sec-WebSocket-Protocol: " + result.protocol + "\r\n";
  if (result.deflate) out += "Sec-WebSocket-Extensions: " + result.deflate->response + "\r\n";
  out += "\r\n";
  return out;
}

std::string rejection_response(const HandshakeResult& result) {
  std::string out = "HTTP/1.1 " + std::to_string(result.status) + " ";
  out += status_text(result.status);
  out += "\r\n";
  if (result.status == 426) out += "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n";
  out += "Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ";
  out += std::to_string(result.reason.size());
  out += "\r\n\r\n";
  out += result.reason;
  return out;
}

}  // namespace switchboard::ws
