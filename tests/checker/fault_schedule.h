// fault_schedule.h — a seeded, random list of faults for the cluster
// checker, and the rules that keep it inside the fault model rill promises
// to survive.
//
// The model: a kill is a crash plus power loss (unsynced writes are gone),
// so a record acknowledged with acks=all and min.insync.replicas 2 survives
// as long as not every replica holding it loses it. The schedule keeps at
// most one broker down at a time, and the runner kills a broker only once
// every partition's ISR is whole again; links, latency, isolation and full
// disks come and go freely. Whatever the schedule does, nothing
// acknowledged may be lost, duplicated or reordered.
//
//   std::vector<FaultStep> steps = GenerateSchedule(seed, {.steps = 8});
//   std::cout << DescribeSchedule(steps);
#ifndef RILL_TESTS_CHECKER_FAULT_SCHEDULE_H_
#define RILL_TESTS_CHECKER_FAULT_SCHEDULE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace rill::checker {

enum class FaultKind {
  kKill,      // crash + power loss of broker a
  kStop,      // clean shutdown of broker a
  kStart,     // start broker a again
  kIsolate,   // cut broker a from the other brokers and the controller
  kCutLink,   // cut the link between brokers a and b
  kLatency,   // delay replica traffic between a and b by latency_ms
  kDiskFull,  // broker a's appends fail
  kHealAll,   // every link and disk healthy again
};

// FaultStep is one fault and how long traffic runs before the next.
struct FaultStep {
  FaultKind kind = FaultKind::kHealAll;
  int a = -1;
  int b = -1;
  int64_t latency_ms = 0;
  int64_t run_ms = 0;

  std::string ToString() const;
};

// ScheduleOptions shape a schedule.
struct ScheduleOptions {
  // Brokers of the cluster (ids 0..brokers-1). Default: 3.
  int brokers = 3;
  // Faults per schedule. Default: 6.
  int steps = 6;
  // Traffic time after each step, drawn from [min_run_ms, max_run_ms].
  // Default: 5 and 40.
  int64_t min_run_ms = 5;
  int64_t max_run_ms = 40;
  // Largest link latency drawn. Default: 20.
  int64_t max_latency_ms = 20;
};

// GenerateSchedule draws a schedule from `seed`: the same seed gives the
// same steps.
std::vector<FaultStep> GenerateSchedule(uint64_t seed,
                                        const ScheduleOptions& options);

// DescribeSchedule is one line per step.
std::string DescribeSchedule(const std::vector<FaultStep>& steps);

}  // namespace rill::checker

#endif  // RILL_TESTS_CHECKER_FAULT_SCHEDULE_H_
