// Meter: the figures of one measured phase of wire_bench.
#ifndef RILL_BENCH_WIRE_METER_H_
#define RILL_BENCH_WIRE_METER_H_

#include <cstdint>

#include "wire/server_process.h"

namespace rill::wire_bench {

// NowNs is the steady clock in nanoseconds.
int64_t NowNs();

// Meter measures one phase: its real time, the CPU time the server used
// during it, and the CPU time of this process (the librdkafka clients), for
// context. Borrows the server, which must outlive it. Not thread-safe: the
// benchmark thread calls Start() and Stop().
class Meter {
 public:
  explicit Meter(const ServerProcess& server) : server_(server) {}

  void Start();
  void Stop();

  // The figures of the last Start()..Stop(), in seconds.
  double seconds() const { return seconds_; }
  double server_cpu() const { return server_cpu_; }
  double client_cpu() const { return client_cpu_; }

 private:
  const ServerProcess& server_;
  int64_t start_ns_ = 0;
  double seconds_ = 0;
  double server_cpu_ = 0;
  double client_cpu_ = 0;
};

}  // namespace rill::wire_bench

#endif  // RILL_BENCH_WIRE_METER_H_
