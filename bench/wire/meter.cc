#include "wire/meter.h"

#include <sys/resource.h>

#include <chrono>

namespace rill::wire_bench {
namespace {

double ClientCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Meter::Start() {
  start_ns_ = NowNs();
  server_cpu_ = server_.CpuSeconds().value_or(0);
  client_cpu_ = ClientCpuSeconds();
}

void Meter::Stop() {
  seconds_ = (NowNs() - start_ns_) / 1e9;
  server_cpu_ = server_.CpuSeconds().value_or(0) - server_cpu_;
  client_cpu_ = ClientCpuSeconds() - client_cpu_;
}

}  // namespace rill::wire_bench
