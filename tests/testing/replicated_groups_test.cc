// Consumer groups in a replicated EmbeddedCluster: the coordinator is the
// leader of the group's offsets partition and moves with it.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "absl/synchronization/notification.h"
#include "rill/error.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"
#include "testing/cluster_test_util.h"

namespace rill::testing {
namespace {

constexpr char kGroup[] = "g";

EmbeddedClusterOptions ThreeBrokersFewOffsetsPartitions() {
  EmbeddedClusterOptions options = ThreeBrokers();
  options.broker.offsets_topic_num_partitions = 3;
  return options;
}

// Commit stores `offset` for t-0 through broker `coordinator`'s group
// coordinator, as a consumer using assign() would.
absl::Status Commit(EmbeddedCluster& cluster, int coordinator, int64_t offset) {
  absl::Notification done;
  absl::Status status = absl::UnknownError("no answer");
  cluster.broker(coordinator)
      .group_coordinator()
      .CommitOffsets({.group_id = kGroup,
                      .offsets = {{.tp = {"t", PartitionId(0)},
                                   .offset = Offset(offset)}}},
                     [&](OffsetCommitResponse r) {
                       status = r.partition_statuses.at(0);
                       done.Notify();
                     });
  done.WaitForNotification();
  return status;
}

// Committed is t-0's committed offset as broker `index` coordinates it.
absl::StatusOr<Offset> Committed(EmbeddedCluster& cluster, int index) {
  absl::StatusOr<std::vector<CommittedOffset>> offsets =
      cluster.broker(index).group_coordinator().FetchOffsets(
          kGroup, std::vector<TopicPartition>{{"t", PartitionId(0)}});
  if (!offsets.ok()) return offsets.status();
  return offsets->at(0).offset;
}

int CoordinatorOf(EmbeddedCluster& cluster) {
  absl::StatusOr<NodeId> coordinator =
      cluster.broker(0).FindGroupCoordinator(kGroup);
  REQUIRE_OK(coordinator);
  return coordinator->value();
}

TEST_CASE(
    "a group is coordinated by the leader of its offsets partition, on "
    "a replicated offsets topic",
    "[replication][groups]") {
  EmbeddedCluster cluster(ThreeBrokersFewOffsetsPartitions());
  REQUIRE_OK(cluster.CreateTopic("t"));
  const int coordinator = CoordinatorOf(cluster);

  const int32_t p = GroupCoordinator::PartitionFor(kGroup, 3);
  const PartitionDescription offsets =
      Describe(cluster, {"__consumer_offsets", PartitionId(p)});
  CHECK(offsets.leader == NodeId(coordinator));
  CHECK(offsets.replicas.size() == 3);
  // Every broker names the same coordinator.
  for (int b = 0; b < 3; ++b) {
    absl::StatusOr<NodeId> named =
        cluster.broker(b).FindGroupCoordinator(kGroup);
    REQUIRE_OK(named);
    CHECK(*named == NodeId(coordinator));
  }

  // The leader loads the partition on its own thread: commit once it has.
  CHECK(WaitFor([&] { return Commit(cluster, coordinator, 7).ok(); }));
  absl::StatusOr<Offset> committed = Committed(cluster, coordinator);
  REQUIRE_OK(committed);
  CHECK(*committed == Offset(7));
  const int other = (coordinator + 1) % 3;
  CHECK(HasErrorReason(Committed(cluster, other).status(),
                       ErrorReason::kNotCoordinator));
  CHECK(
      HasErrorReason(Commit(cluster, other, 8), ErrorReason::kNotCoordinator));
}

TEST_CASE(
    "committed offsets survive the coordinator's failover to an in-sync "
    "replica",
    "[replication][groups]") {
  EmbeddedCluster cluster(ThreeBrokersFewOffsetsPartitions());
  REQUIRE_OK(cluster.CreateTopic("t"));
  const int before = CoordinatorOf(cluster);
  REQUIRE(WaitFor([&] { return Commit(cluster, before, 42).ok(); }));

  REQUIRE_OK(cluster.Restart(before));
  const int after = CoordinatorOf(cluster);
  CHECK(after != before);
  std::optional<Offset> seen;
  CHECK(WaitFor([&] {
    absl::StatusOr<Offset> committed = Committed(cluster, after);
    if (committed.ok()) seen = *committed;
    return committed.ok();
  }));
  CHECK(seen == Offset(42));
  // The old coordinator gave the group up.
  CHECK(HasErrorReason(Committed(cluster, before).status(),
                       ErrorReason::kNotCoordinator));
}

}  // namespace
}  // namespace rill::testing
