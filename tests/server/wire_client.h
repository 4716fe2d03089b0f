// WireClient: a blocking Kafka-protocol client for server tests, speaking
// raw frames over a loopback socket, with a deadline on every read.
#ifndef RILL_TESTS_SERVER_WIRE_CLIENT_H_
#define RILL_TESTS_SERVER_WIRE_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "protocol/codec.h"
#include "protocol/header.h"
#include "util/endian.h"

namespace rill::server::testing {

// WireClient owns one connection. Not thread-safe.
class WireClient {
 public:
  static constexpr int kReadTimeoutMs = 10'000;

  explicit WireClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    int one = 1;
    if (fd_ >= 0)
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~WireClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  WireClient(const WireClient&) = delete;
  WireClient& operator=(const WireClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  // SendRaw writes bytes as they are.
  absl::Status SendRaw(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return absl::UnavailableError(std::strerror(errno));
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  // SendRequest frames header + body (size prefix added).
  template <protocol::Message M>
  absl::Status SendRequest(const M& request, int16_t version,
                           int32_t correlation_id,
                           std::string client_id = "wire-test") {
    return SendRaw(
        FrameRequest(request, version, correlation_id, std::move(client_id)));
  }

  template <protocol::Message M>
  static std::string FrameRequest(const M& request, int16_t version,
                                  int32_t correlation_id,
                                  std::string client_id = "wire-test") {
    protocol::WireWriter w;
    w.Fixed<int32_t>(0);
    protocol::WriteRequestHeader({.api_key = static_cast<int16_t>(M::kApiKey),
                                  .api_version = version,
                                  .correlation_id = correlation_id,
                                  .client_id = std::move(client_id)},
                                 M::kFlexibleVersions.Contains(version), w);
    protocol::Encode(request, version, w);
    w.PatchFixed<int32_t>(0, static_cast<int32_t>(w.size() - 4));
    return w.buffer();
  }

  // ReadFrame returns the next frame without its size prefix; kUnavailable
  // when the server closed the connection, kDeadlineExceeded on timeout.
  absl::StatusOr<std::string> ReadFrame(int timeout_ms = kReadTimeoutMs) {
    std::string size_bytes;
    if (absl::Status s = ReadExactly(4, timeout_ms, &size_bytes); !s.ok()) {
      return s;
    }
    const int32_t size = util::LoadBigEndian<int32_t>(size_bytes.data());
    std::string frame;
    if (absl::Status s =
            ReadExactly(static_cast<size_t>(size), timeout_ms, &frame);
        !s.ok()) {
      return s;
    }
    return frame;
  }

  // ReadResponse reads one response of type M at `version`, checking the
  // correlation id.
  template <protocol::Message M>
  absl::StatusOr<M> ReadResponse(int16_t version, int32_t correlation_id) {
    absl::StatusOr<std::string> frame = ReadFrame();
    if (!frame.ok()) return frame.status();
    // Decoded Records are views into the frame: it lives as long as the
    // client does.
    std::string& kept = frames_.emplace_back(*std::move(frame));
    protocol::WireReader r{std::span<char>(kept)};
    const int32_t got = r.Fixed<int32_t>();
    if (got != correlation_id) {
      return absl::InternalError(
          absl::StrCat("correlation id ", got, ", expected ", correlation_id));
    }
    const bool flexible_header = M::kFlexibleVersions.Contains(version) &&
                                 M::kApiKey != protocol::ApiKey::kApiVersions;
    if (flexible_header) {
      if (absl::Status s = protocol::SkipTaggedFields(r); !s.ok()) return s;
    }
    M response;
    if (absl::Status s = protocol::Decode(r, version, &response); !s.ok()) {
      return s;
    }
    return response;
  }

  // RoundTrip sends a request and reads its response.
  template <protocol::Message Response, protocol::Message Request>
  absl::StatusOr<Response> RoundTrip(const Request& request, int16_t version) {
    const int32_t id = next_correlation_id_++;
    if (absl::Status s = SendRequest(request, version, id); !s.ok()) return s;
    return ReadResponse<Response>(version, id);
  }

  // WaitForClose is OK once the server has closed the connection (reads
  // return end of stream) within the timeout.
  absl::Status WaitForClose(int timeout_ms = kReadTimeoutMs) {
    std::string ignored;
    for (;;) {
      absl::Status s = ReadExactly(1, timeout_ms, &ignored);
      if (absl::IsUnavailable(s)) return absl::OkStatus();
      if (!s.ok()) return s;
    }
  }

 private:
  absl::Status ReadExactly(size_t n, int timeout_ms, std::string* out) {
    out->resize(n);
    size_t done = 0;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(timeout_ms);
    while (done < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return absl::DeadlineExceededError("read timed out");
      pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready == 0) return absl::DeadlineExceededError("read timed out");
      if (ready < 0) {
        if (errno == EINTR) continue;
        return absl::InternalError(std::strerror(errno));
      }
      const ssize_t got = ::recv(fd_, out->data() + done, n - done, 0);
      if (got == 0) return absl::UnavailableError("connection closed");
      if (got < 0) {
        if (errno == EINTR) continue;
        if (errno == ECONNRESET)
          return absl::UnavailableError("connection reset");
        return absl::InternalError(std::strerror(errno));
      }
      done += static_cast<size_t>(got);
    }
    return absl::OkStatus();
  }

  int fd_ = -1;
  int32_t next_correlation_id_ = 1;
  std::deque<std::string> frames_;  // what ReadResponse's views point into
};

}  // namespace rill::server::testing

#endif  // RILL_TESTS_SERVER_WIRE_CLIENT_H_
