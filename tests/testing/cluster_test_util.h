// Helpers for tests of replicated EmbeddedClusters: produce through one
// broker, describe a partition, wait for replication to settle.
#ifndef RILL_TESTS_TESTING_CLUSTER_TEST_UTIL_H_
#define RILL_TESTS_TESTING_CLUSTER_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "rill/record/record_batch.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::testing {

inline std::string Batch(const std::string& value) {
  record::RecordBatchBuilder builder;
  builder.Append({.timestamp_ms = 1'000, .value = std::string_view(value)});
  absl::StatusOr<std::string> batch = builder.Build();
  REQUIRE_OK(batch);
  return *std::move(batch);
}

// ProduceTo appends one record through `broker` and waits for the answer.
inline absl::StatusOr<ProduceResult> ProduceTo(Broker& broker,
                                               const TopicPartition& tp,
                                               const std::string& value,
                                               Acks acks = Acks::kAll) {
  std::string batch = Batch(value);
  absl::Notification done;
  absl::StatusOr<ProduceResult> result = absl::UnknownError("no answer");
  broker.Produce(tp, std::span<char>(batch.data(), batch.size()),
                 {.acks = acks, .timeout_ms = 10'000},
                 [&](absl::StatusOr<ProduceResult> r) {
                   result = std::move(r);
                   done.Notify();
                 });
  done.WaitForNotification();
  return result;
}

inline PartitionDescription Describe(EmbeddedCluster& cluster,
                                     const TopicPartition& tp) {
  absl::StatusOr<TopicDescription> topic =
      cluster.broker(0).DescribeTopic(tp.topic);
  REQUIRE_OK(topic);
  return topic->partitions.at(tp.partition.value());
}

// WaitFor polls `condition` for up to 10 s (replication runs on the
// brokers' own threads).
template <typename Condition>
bool WaitFor(Condition condition) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return condition();
}

inline Offset LogEnd(Broker& broker, const TopicPartition& tp) {
  absl::StatusOr<PartitionOffsets> offsets = broker.GetPartitionOffsets(tp);
  return offsets.ok() ? offsets->log_end_offset : Offset(-1);
}

inline EmbeddedClusterOptions ThreeBrokers() {
  EmbeddedClusterOptions options{.brokers = 3, .in_memory = true};
  options.broker.replica_fetch_backoff_ms = 10;
  return options;
}

}  // namespace rill::testing

#endif  // RILL_TESTS_TESTING_CLUSTER_TEST_UTIL_H_
