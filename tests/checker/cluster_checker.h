// cluster_checker.h — runs idempotent acks=all producers and a consumer
// against a three-broker EmbeddedCluster while a seeded fault schedule
// (fault_schedule.h) kills, stops, isolates and slows brokers, then heals
// everything and checks what a Kafka user is promised:
//   - every acknowledged record is in the log exactly once, at the offset
//     its acknowledgement gave, and a producer's records keep their order;
//   - a record whose send failed is in the log at most once;
//   - offsets have no gaps;
//   - nothing the consumer read is missing or different afterwards (it
//     never saw a record that was later lost);
//   - the replicas converge: every ISR whole again, the same log end on
//     every replica, and a second replica serves the same records.
// A failure names the seed and the schedule, so it can be replayed.
//
//   CheckResult r = RunCheck({.seed = 42});
//   if (!r.ok) std::cerr << r.Report();
#ifndef RILL_TESTS_CHECKER_CLUSTER_CHECKER_H_
#define RILL_TESTS_CHECKER_CLUSTER_CHECKER_H_

#include <cstdint>
#include <string>

#include "checker/fault_schedule.h"
#include "rill/replication/controller.h"

namespace rill::checker {

// CheckOptions configure one run.
struct CheckOptions {
  // Draws the schedule. Default: 1.
  uint64_t seed = 1;
  ScheduleOptions schedule = {};
  // Partitions of the checked topic (replication factor 3,
  // min.insync.replicas 2). Default: 2.
  int partitions = 2;
  // Idempotent acks=all producers. Default: 2.
  int producers = 2;
  // Records each producer has unacknowledged at most. Default: 16.
  int max_in_flight = 16;
  // How long the healed cluster may take to converge. Default: 20000.
  int64_t converge_timeout_ms = 20'000;
};

// CheckResult is what a run saw.
struct CheckResult {
  uint64_t seed = 0;
  bool ok = false;
  // Why the run failed (empty when ok).
  std::string failure = {};
  // The schedule as run, one step per line, with skipped steps marked.
  std::string schedule = {};
  int64_t acked = 0;
  int64_t failed = 0;
  int64_t consumed = 0;
  int64_t in_log = 0;
  replication::ControllerMetrics metrics = {};

  // Report is a few lines: seed, outcome, counts, and on failure the
  // schedule.
  std::string Report() const;
};

// RunCheck runs one seed.
CheckResult RunCheck(const CheckOptions& options);

}  // namespace rill::checker

#endif  // RILL_TESTS_CHECKER_CLUSTER_CHECKER_H_
