// The physical floor under a produce case: the CPU time a process needs
// for the least work any Kafka broker does with the case's bytes, measured
// on this machine in the same run as the servers:
//
//   - take them off a loopback TCP socket;
//   - verify a CRC-32C over them (a broker must check every batch's CRC
//     before it stores it, and clients always send one);
//   - store them once: a copy into memory that is already mapped and warm
//     (the cheapest store there is), or an append to a file (what a
//     durable log does: the kernel copies them into the page cache).
//
// No broker can use less CPU than the floor for the same bytes, so a
// server's CPU reads best as a multiple of it, and a target below the
// floor (a fraction of another server's CPU) cannot be met by any broker.
#ifndef RILL_BENCH_WIRE_FLOOR_H_
#define RILL_BENCH_WIRE_FLOOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace rill::wire_bench {

// FloorOptions describes one transfer.
struct FloorOptions {
  // Bytes sent through the socket.
  // Default: none (required).
  int64_t bytes = 0;
  // Bytes per write by the sender, and per read by the receiver: about one
  // produce request of librdkafka's default batch (1 MB).
  // Default: 1 MiB.
  int64_t chunk_bytes = 1 << 20;
  // When set, the receiver appends every chunk to this file (created,
  // and removed afterwards), as a log does.
  // Default: empty (the chunks are copied into a warm in-memory ring).
  std::string append_to;
};

// ReceiveCpuSeconds sends `options.bytes` from a thread to this one over
// 127.0.0.1 and returns the CPU time (user + system) of the receiving
// thread: the reads, the CRC-32C, and the copies or file appends.
absl::StatusOr<double> ReceiveCpuSeconds(const FloorOptions& options);

}  // namespace rill::wire_bench

#endif  // RILL_BENCH_WIRE_FLOOR_H_
