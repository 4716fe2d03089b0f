#include "wire/floor.h"

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/crc32c.h"

namespace rill::wire_bench {
namespace {

// The in-memory store's size: larger than the caches, so the copies go to
// memory as a log's would, and reused, so no page is touched for the first
// time while measured.
constexpr size_t kRingBytes = 64 << 20;

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec * 1e-9;
}

// Sends `bytes` to `port` on loopback in `chunk`-sized writes.
void Send(uint16_t port, int64_t bytes, int64_t chunk) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) return;
  const std::vector<char> data(static_cast<size_t>(chunk), 'v');
  for (int64_t sent = 0; sent < bytes;) {
    const size_t n = static_cast<size_t>(std::min(chunk, bytes - sent));
    const ssize_t w = ::send(fd, data.data(), n, MSG_NOSIGNAL);
    if (w <= 0) return;
    sent += w;
  }
}

}  // namespace

absl::StatusOr<double> ReceiveCpuSeconds(const FloorOptions& options) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) return Errno("socket");
  absl::Cleanup close_listener = [listener] { ::close(listener); };
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(at);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof(at)) != 0 ||
      ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&at), &length) != 0) {
    return Errno("listening on 127.0.0.1");
  }
  int file = -1;
  if (!options.append_to.empty()) {
    file = ::open(options.append_to.c_str(),
                  O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (file < 0) return Errno("open " + options.append_to);
  }
  absl::Cleanup remove_file = [&] {
    if (file < 0) return;
    ::close(file);
    ::unlink(options.append_to.c_str());
  };
  std::thread sender(Send, ntohs(at.sin_port), options.bytes,
                     options.chunk_bytes);
  absl::Cleanup join = [&] { sender.join(); };
  const int fd = ::accept(listener, nullptr, nullptr);
  if (fd < 0) return Errno("accept");
  absl::Cleanup close_fd = [fd] { ::close(fd); };

  std::vector<char> buffer(static_cast<size_t>(options.chunk_bytes));
  // The in-memory store: a ring touched once before the clock starts, so
  // the copies never fault a page in.
  std::vector<char> ring(file < 0 ? kRingBytes : 0, '\0');
  size_t ring_at = 0;
  uint32_t crc = 0;
  int64_t received = 0;
  const double start = ThreadCpuSeconds();
  while (true) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("recv");
    if (n == 0) break;
    const size_t got = static_cast<size_t>(n);
    received += n;
    crc = util::crc32c::Extend(crc, buffer.data(), got);
    if (file >= 0) {
      if (::write(file, buffer.data(), got) != n) {
        return Errno("write " + options.append_to);
      }
      continue;
    }
    if (ring_at + got > ring.size()) ring_at = 0;
    std::memcpy(ring.data() + ring_at, buffer.data(), got);
    ring_at += got;
  }
  const double cpu = ThreadCpuSeconds() - start;
  benchmark::DoNotOptimize(crc);
  benchmark::DoNotOptimize(ring.data());
  if (received != options.bytes) {
    return absl::InternalError(
        absl::StrCat("received ", received, " of ", options.bytes, " bytes"));
  }
  return cpu;
}

}  // namespace rill::wire_bench
