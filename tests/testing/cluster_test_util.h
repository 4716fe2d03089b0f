// Helpers for tests of replicated EmbeddedClusters under faults: produce
// through one broker, read what a leader serves, look at the controller's
// view of a partition, and wait (bounded) for replication to settle.
#ifndef RILL_TESTS_TESTING_CLUSTER_TEST_UTIL_H_
#define RILL_TESTS_TESTING_CLUSTER_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/synchronization/notification.h"
#include "rill/record/record_batch.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::testing::test {

// Batch is one record of `value`, stamped now (so retention.ms keeps it).
inline std::string Batch(const std::string& value) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  record::RecordBatchBuilder builder;
  builder.Append({.timestamp_ms = now_ms, .value = std::string_view(value)});
  absl::StatusOr<std::string> batch = builder.Build();
  REQUIRE_OK(batch);
  return *std::move(batch);
}

// ProduceTo appends one record through `broker` and waits for the answer
// (which acks=all gives within `timeout_ms`).
inline absl::StatusOr<ProduceResult> ProduceTo(Broker& broker,
                                               const TopicPartition& tp,
                                               const std::string& value,
                                               Acks acks = Acks::kAll,
                                               int64_t timeout_ms = 10'000) {
  std::string batch = Batch(value);
  absl::Notification done;
  absl::StatusOr<ProduceResult> result = absl::UnknownError("no answer");
  broker.Produce(tp, std::span<char>(batch.data(), batch.size()),
                 {.acks = acks, .timeout_ms = timeout_ms},
                 [&](absl::StatusOr<ProduceResult> r) {
                   result = std::move(r);
                   done.Notify();
                 });
  done.WaitForNotification();
  return result;
}

// ReadValues reads every record value the leader `broker` serves of `tp`
// (up to its high watermark), checking each batch's CRC.
inline std::vector<std::string> ReadValues(Broker& broker,
                                           const TopicPartition& tp) {
  std::vector<std::string> values;
  Offset next(0);
  for (;;) {
    absl::Notification done;
    FetchResult result;
    broker.Fetch({.partitions = {{.tp = tp, .fetch_offset = next}},
                  .min_bytes = 0,
                  .max_wait_ms = 0},
                 [&](FetchResult r) {
                   result = std::move(r);
                   done.Notify();
                 });
    done.WaitForNotification();
    REQUIRE(result.partitions.size() == 1);
    const FetchPartitionResult& p = result.partitions[0];
    REQUIRE_OK(p.status);
    if (p.records.size_bytes == 0) return values;
    ASSIGN_OR_REQUIRE(std::string bytes, p.records.ReadAll());
    record::BatchIterator batches(bytes);
    while (batches.Next()) {
      REQUIRE_OK(batches.batch().VerifyCrc());
      ASSIGN_OR_REQUIRE(record::DecodedRecords records,
                        batches.batch().DecodeRecords());
      for (const record::RecordView& r : records) {
        values.emplace_back(r.value.value_or(""));
      }
      next = Offset(batches.batch().header().last_offset() + 1);
    }
    REQUIRE_OK(batches.status());
  }
}

// State is partition `tp` as the controller has it now.
inline replication::PartitionState State(const EmbeddedCluster& cluster,
                                         const TopicPartition& tp) {
  std::shared_ptr<const replication::ClusterImage> image =
      cluster.controller()->image();
  const replication::TopicState* topic = image->FindTopic(tp.topic);
  REQUIRE(topic != nullptr);
  return topic->partitions.at(tp.partition.value());
}

inline bool InIsr(const replication::PartitionState& state, int broker) {
  return absl::c_linear_search(state.isr, NodeId(broker));
}

// LogEnd is broker's log end of `tp` (-1 when it has no replica).
inline Offset LogEnd(Broker& broker, const TopicPartition& tp) {
  absl::StatusOr<PartitionOffsets> offsets = broker.GetPartitionOffsets(tp);
  return offsets.ok() ? offsets->log_end_offset : Offset(-1);
}

// WaitFor checks `condition` until it holds, for up to 20 s (replication
// runs on the brokers' own threads).
template <typename Condition>
bool WaitFor(Condition condition) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return condition();
}

// Leader waits until the controller's leader of `tp` serves as its leader
// (it has applied the image that says so), and returns it.
inline int Leader(EmbeddedCluster& cluster, const TopicPartition& tp) {
  int leader = -1;
  REQUIRE(WaitFor([&] {
    const replication::PartitionState state = State(cluster, tp);
    if (!state.has_leader() || !cluster.IsRunning(state.leader.value())) {
      return false;
    }
    leader = state.leader.value();
    absl::StatusOr<TopicDescription> seen =
        cluster.broker(leader).DescribeTopic(tp.topic);
    return seen.ok() &&
           seen->partitions.at(tp.partition.value()).leader == state.leader &&
           seen->partitions.at(tp.partition.value()).leader_epoch ==
               state.leader_epoch;
  }));
  return leader;
}

// Describe is partition `tp` as broker 0 describes it.
inline PartitionDescription Describe(EmbeddedCluster& cluster,
                                     const TopicPartition& tp) {
  absl::StatusOr<TopicDescription> topic =
      cluster.broker(0).DescribeTopic(tp.topic);
  REQUIRE_OK(topic);
  return topic->partitions.at(tp.partition.value());
}

// ThreeBrokers is an in-memory cluster of three with quick fetch retries.
inline EmbeddedClusterOptions ThreeBrokers() {
  EmbeddedClusterOptions options{.brokers = 3, .in_memory = true};
  options.broker.replica_fetch_backoff_ms = 10;
  return options;
}

// FastFailover is a three-broker cluster on real time with short timeouts,
// so that sessions expire and ISRs change within a test's patience.
inline EmbeddedClusterOptions FastFailover(bool in_memory = true) {
  EmbeddedClusterOptions options{.brokers = 3, .in_memory = in_memory};
  options.broker.replica_fetch_backoff_ms = 10;
  options.broker.replica_fetch_wait_max_ms = 50;
  options.broker.broker_heartbeat_interval_ms = 50;
  options.broker.replica_lag_time_max_ms = 1'000;
  options.broker_session_timeout_ms = 2'000;
  return options;
}

}  // namespace rill::testing::test

#endif  // RILL_TESTS_TESTING_CLUSTER_TEST_UTIL_H_
