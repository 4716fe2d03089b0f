// EmbeddedCluster with several brokers: replication, acks=all, failover.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "rill/error.h"
#include "rill/record/record_batch.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::testing {
namespace {

std::string Batch(const std::string& value) {
  record::RecordBatchBuilder builder;
  builder.Append({.timestamp_ms = 1'000, .value = std::string_view(value)});
  absl::StatusOr<std::string> batch = builder.Build();
  REQUIRE_OK(batch);
  return *std::move(batch);
}

// ProduceTo appends one record through `broker` and waits for the answer.
absl::StatusOr<ProduceResult> ProduceTo(Broker& broker,
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

PartitionDescription Describe(EmbeddedCluster& cluster,
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

Offset LogEnd(Broker& broker, const TopicPartition& tp) {
  absl::StatusOr<PartitionOffsets> offsets = broker.GetPartitionOffsets(tp);
  return offsets.ok() ? offsets->log_end_offset : Offset(-1);
}

EmbeddedClusterOptions ThreeBrokers() {
  EmbeddedClusterOptions options{.brokers = 3, .in_memory = true};
  options.broker.replica_fetch_backoff_ms = 10;
  return options;
}

TEST_CASE(
    "a three-broker cluster places three replicas and acks=all waits "
    "for the ISR",
    "[replication]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  const PartitionDescription p = Describe(cluster, tp);
  CHECK(p.replicas.size() == 3);
  CHECK(p.isr.size() == 3);
  Broker& leader = cluster.broker(p.leader.value());

  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<ProduceResult> r =
        ProduceTo(leader, tp, "v" + std::to_string(i));
    REQUIRE_OK(r);
    CHECK(r->base_offset == Offset(i));
    // Acknowledged: every in-sync replica has it.
    for (int b = 0; b < 3; ++b) {
      CHECK(LogEnd(cluster.broker(b), tp) >= Offset(i + 1));
    }
  }
  absl::StatusOr<PartitionOffsets> offsets = leader.GetPartitionOffsets(tp);
  REQUIRE_OK(offsets);
  CHECK(offsets->high_watermark == Offset(5));
}

TEST_CASE("a follower refuses produces with NOT_LEADER_OR_FOLLOWER",
          "[replication]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 1));
  const TopicPartition tp{"t", PartitionId(0)};
  const PartitionDescription p = Describe(cluster, tp);
  const int follower = (p.leader.value() + 1) % 3;
  absl::StatusOr<ProduceResult> r =
      ProduceTo(cluster.broker(follower), tp, "x");
  CHECK(HasErrorReason(r.status(), ErrorReason::kNotLeaderOrFollower));
}

TEST_CASE(
    "leadership moves to an in-sync follower when the leader shuts "
    "down, and nothing acknowledged is lost",
    "[replication]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  const PartitionDescription before = Describe(cluster, tp);
  REQUIRE_OK(ProduceTo(cluster.broker(before.leader.value()), tp, "a"));
  REQUIRE_OK(ProduceTo(cluster.broker(before.leader.value()), tp, "b"));

  REQUIRE_OK(cluster.Restart(before.leader.value()));
  const PartitionDescription after = Describe(cluster, tp);
  CHECK(after.leader != before.leader);
  CHECK(after.leader_epoch > before.leader_epoch);

  absl::StatusOr<ProduceResult> r =
      ProduceTo(cluster.broker(after.leader.value()), tp, "c");
  REQUIRE_OK(r);
  CHECK(r->base_offset == Offset(2));
  // The restarted broker catches up and every replica ends equal.
  CHECK(WaitFor([&] {
    for (int b = 0; b < 3; ++b) {
      if (LogEnd(cluster.broker(b), tp) != Offset(3)) return false;
    }
    return true;
  }));
}

TEST_CASE(
    "acks=all is refused with NOT_ENOUGH_REPLICAS when the ISR is "
    "below min.insync.replicas",
    "[replication]") {
  EmbeddedClusterOptions options = ThreeBrokers();
  options.brokers = 2;
  EmbeddedCluster cluster(options);
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  const PartitionDescription p = Describe(cluster, tp);
  const int follower = (p.leader.value() + 1) % 2;
  REQUIRE_OK(cluster.controller()->FenceBroker(NodeId(follower)));
  CHECK(Describe(cluster, tp).isr.size() == 1);
  Broker& leader = cluster.broker(p.leader.value());
  CHECK(HasErrorReason(ProduceTo(leader, tp, "x").status(),
                       ErrorReason::kNotEnoughReplicas));
  // acks=1 still goes through.
  CHECK(ProduceTo(leader, tp, "y", Acks::kLeader).ok());
}

}  // namespace
}  // namespace rill::testing
