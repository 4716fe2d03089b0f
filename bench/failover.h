// What the failover benchmarks (replication_bench, wire_failover_bench)
// share: a three-broker cluster's partition f-0, the loop that kills its
// leader and times the first acknowledged record after that, the healthy
// round trip beside it, and their p50 and p99.
#ifndef RILL_BENCH_FAILOVER_H_
#define RILL_BENCH_FAILOVER_H_

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rill/testing/embedded_cluster.h"

namespace rill::testing::failover {

// Debian's Abseil leaves deadlock detection on; it costs on every lock.
inline const bool kDeadlockDetectionOff = [] {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return true;
}();

// The partition the failover benchmarks kill leaders of.
inline constexpr char kTopic[] = "f";
inline const TopicPartition kPartition{kTopic, PartitionId(0)};

// Check aborts the benchmark with `what` if `status` is an error.
inline void Check(const absl::Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
    std::abort();
  }
}

inline double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// ReportPercentiles reports p50 and p99 of `ms` as counters.
inline void ReportPercentiles(benchmark::State& state, std::vector<double> ms) {
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  state.counters["p50_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
}

// WaitForFullIsr waits until all three replicas of kPartition are in sync.
inline void WaitForFullIsr(const EmbeddedCluster& cluster) {
  for (;;) {
    const replication::PartitionState* p =
        cluster.controller()->image()->FindPartition(kPartition);
    if (p != nullptr && p->has_leader() && p->isr.size() == 3) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

inline int Leader(const EmbeddedCluster& cluster) {
  return cluster.controller()
      ->image()
      ->FindPartition(kPartition)
      ->leader.value();
}

// MeasureFailovers kills kPartition's leader once per iteration (with the
// ISR whole again first) and times it until `send_one` (which sends a
// record and waits for its acknowledgement) returns; the old leader starts
// again untimed.
template <typename SendOne>
void MeasureFailovers(benchmark::State& state, EmbeddedCluster& cluster,
                      SendOne send_one) {
  send_one();
  std::vector<double> ms;
  for (auto _ : state) {
    WaitForFullIsr(cluster);
    const int leader = Leader(cluster);
    const auto start = std::chrono::steady_clock::now();
    Check(cluster.KillBroker(leader), "killing the leader");
    send_one();
    const double elapsed = MsSince(start);
    ms.push_back(elapsed);
    state.SetIterationTime(elapsed / 1000);
    Check(cluster.StartBroker(leader), "restarting the old leader");
  }
  ReportPercentiles(state, std::move(ms));
}

// MeasureRoundTrips times `send_one` with a healthy leader.
template <typename SendOne>
void MeasureRoundTrips(benchmark::State& state, SendOne send_one) {
  send_one();
  std::vector<double> ms;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    send_one();
    ms.push_back(MsSince(start));
  }
  ReportPercentiles(state, std::move(ms));
}

}  // namespace rill::testing::failover

#endif  // RILL_BENCH_FAILOVER_H_
