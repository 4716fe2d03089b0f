// EmbeddedCluster with replicate_over_wire: followers fetch from leaders
// through the leaders' Kafka listeners, as separate processes would.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "broker/broker_test_util.h"
#include "rill/error.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"

namespace rill::testing {
namespace {

constexpr auto kWait = absl::Seconds(20);

EmbeddedClusterOptions WiredThreeBrokers() {
  EmbeddedClusterOptions options{.brokers = 3,
                                 .in_memory = true,
                                 .listen = true,
                                 .replicate_over_wire = true};
  options.broker.replica_fetch_backoff_ms = 10;
  // A listener's shutdown waits for the fetches parked on it.
  options.broker.replica_fetch_wait_max_ms = 200;
  return options;
}

// ProduceTo appends `value` through `broker` with acks=all.
absl::StatusOr<ProduceResult> ProduceTo(Broker& broker,
                                        const TopicPartition& tp,
                                        const std::string& value,
                                        int64_t timeout_ms = 20'000) {
  return rill::test::ProduceSync(
      broker, tp,
      rill::test::MakeBatch({{.key = std::nullopt, .value = value}}),
      {.acks = Acks::kAll, .timeout_ms = timeout_ms});
}

replication::PartitionState StateOf(EmbeddedCluster& cluster,
                                    const TopicPartition& tp) {
  const replication::PartitionState* p =
      cluster.controller()->image()->FindPartition(tp);
  REQUIRE(p != nullptr);
  return *p;
}

Offset LogEnd(Broker& broker, const TopicPartition& tp) {
  absl::StatusOr<PartitionOffsets> offsets = broker.GetPartitionOffsets(tp);
  return offsets.ok() ? offsets->log_end_offset : Offset(-1);
}

// AwaitFullIsr waits until every replica of `tp` is in its ISR again, as
// the cluster metadata says.
bool AwaitFullIsr(EmbeddedCluster& cluster, const TopicPartition& tp) {
  absl::Mutex mu;
  bool full = false;
  replication::MetadataSubscription watch =
      cluster.broker(0).options().metadata_store->Subscribe(
          [&](const std::shared_ptr<const replication::ClusterImage>& image) {
            const replication::PartitionState* p = image->FindPartition(tp);
            absl::MutexLock lock(&mu);
            if (p != nullptr && p->isr.size() == p->replicas.size()) {
              full = true;
            }
          });
  absl::MutexLock lock(&mu);
  return mu.AwaitWithTimeout(absl::Condition(&full), kWait);
}

TEST_CASE("replicate_over_wire without listeners refuses to start",
          "[testing]") {
  auto started = EmbeddedCluster::Start(
      {.brokers = 3, .in_memory = true, .replicate_over_wire = true});
  CHECK(absl::IsInvalidArgument(started.status()));
  CHECK(std::string(started.status().message()).find("listen") !=
        std::string::npos);
}

TEST_CASE(
    "brokers replicating over the wire acknowledge acks=all from every "
    "replica and lose nothing acknowledged when leaders restart",
    "[replication][integration]") {
  EmbeddedCluster cluster(WiredThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  REQUIRE(StateOf(cluster, tp).isr.size() == 3);

  std::vector<std::string> acknowledged;
  auto produce = [&](const std::string& value) {
    const NodeId leader = StateOf(cluster, tp).leader;
    REQUIRE(leader.value() >= 0);
    absl::StatusOr<ProduceResult> r =
        ProduceTo(cluster.broker(leader.value()), tp, value);
    REQUIRE_OK(r);
    CHECK(r->base_offset == Offset(acknowledged.size()));
    acknowledged.push_back(value);
  };
  auto every_replica_has_all = [&] {
    for (int b = 0; b < cluster.num_brokers(); ++b) {
      CAPTURE(b);
      CHECK(LogEnd(cluster.broker(b), tp) == Offset(acknowledged.size()));
    }
  };

  for (int i = 0; i < 5; ++i) produce("before-" + std::to_string(i));
  // Acknowledged by a full ISR: every replica has every record.
  every_replica_has_all();

  for (int round = 0; round < 2; ++round) {
    CAPTURE(round);
    const replication::PartitionState before = StateOf(cluster, tp);
    REQUIRE_OK(cluster.Restart(before.leader.value()));
    const replication::PartitionState after = StateOf(cluster, tp);
    CHECK(after.leader != before.leader);
    CHECK(after.leader_epoch > before.leader_epoch);
    // Two in-sync replicas remain: enough for min.insync.replicas.
    for (int i = 0; i < 3; ++i) {
      produce("round-" + std::to_string(round) + "-" + std::to_string(i));
    }
    // The restarted broker truncates, catches up over the wire and is
    // taken back into the ISR; from then on acks=all waits for it too.
    REQUIRE(AwaitFullIsr(cluster, tp));
    // Creating a topic through the leader waits until it has applied the
    // newest metadata, the larger ISR included.
    REQUIRE_OK(cluster.broker(StateOf(cluster, tp).leader.value())
                   .CreateTopic({.name = "sync-" + std::to_string(round),
                                 .replication_factor = 1}));
    produce("round-" + std::to_string(round) + "-rejoined");
    every_replica_has_all();
  }

  Broker& leader = cluster.broker(StateOf(cluster, tp).leader.value());
  CHECK(rill::test::ReadValues(leader, tp) == acknowledged);
}

TEST_CASE(
    "with replicate_over_wire acks=all waits on the followers' fetches "
    "through the leader's listener",
    "[replication][integration]") {
  EmbeddedCluster cluster(WiredThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  const int leader = StateOf(cluster, tp).leader.value();
  REQUIRE_OK(ProduceTo(cluster.broker(leader), tp, "first"));

  // The leader's listener fails every fetch it gets: the followers' next
  // fetches never reach the broker, so nothing new is acknowledged.
  const int16_t kStorageError = 56;
  REQUIRE_OK(cluster.server(leader)->InjectErrors(
      1, std::vector<int16_t>(100'000, kStorageError)));
  CHECK(HasErrorReason(
      ProduceTo(cluster.broker(leader), tp, "stuck", /*timeout_ms=*/300)
          .status(),
      ErrorReason::kRequestTimedOut));

  cluster.server(leader)->ClearInjectedErrors();
  absl::StatusOr<ProduceResult> r =
      ProduceTo(cluster.broker(leader), tp, "after");
  REQUIRE_OK(r);
  // "stuck" was appended, only not acknowledged in time.
  CHECK(r->base_offset == Offset(2));
  CHECK(rill::test::ReadValues(cluster.broker(leader), tp) ==
        std::vector<std::string>{"first", "stuck", "after"});
}

}  // namespace
}  // namespace rill::testing
