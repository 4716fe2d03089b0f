#include "rill/replication/cluster_image.h"

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "replication/controller_test_util.h"
#include "rill/replication/controller.h"
#include "rill/replication/metadata_store.h"
#include "status_test_util.h"

namespace rill::replication {
namespace {

using test::Ids;
using test::N;

// RecordingStore keeps every committed record in front of an in-process
// store: the metadata log a replicated store would hold.
class RecordingStore final : public MetadataStore {
 public:
  std::shared_ptr<const ClusterImage> image() const override {
    return inner_->image();
  }
  absl::StatusOr<int64_t> Commit(int64_t expected_version,
                                 std::vector<MetadataRecord> records) override {
    std::vector<MetadataRecord> copy = records;
    absl::StatusOr<int64_t> version =
        inner_->Commit(expected_version, std::move(records));
    if (version.ok()) {
      absl::MutexLock lock(&mu_);
      log_.insert(log_.end(), copy.begin(), copy.end());
    }
    return version;
  }
  MetadataSubscription Subscribe(Listener listener) override {
    return inner_->Subscribe(std::move(listener));
  }
  std::vector<MetadataRecord> log() const {
    absl::MutexLock lock(&mu_);
    return log_;
  }

 private:
  const std::shared_ptr<MetadataStore> inner_ = NewInProcessMetadataStore();
  mutable absl::Mutex mu_;
  std::vector<MetadataRecord> log_ ABSL_GUARDED_BY(mu_);
};

TEST_CASE("Replaying the metadata log rebuilds the controller's image",
          "[replication]") {
  auto store = std::make_shared<RecordingStore>();
  auto clock = std::make_shared<ManualClock>(0);
  ASSIGN_OR_REQUIRE(auto controller,
                    Controller::Create({.store = store,
                                        .clock = clock,
                                        .unclean_leader_election_enable = true,
                                        .assignment_seed = 3}));
  for (int id = 0; id < 3; ++id) {
    REQUIRE_OK(controller->RegisterBroker(N(id), {}));
  }
  REQUIRE_OK(controller->CreateTopic(
      {.name = "a", .num_partitions = 4, .replication_factor = 3}, {}));
  REQUIRE_OK(controller->CreateTopic(
      {.name = "b", .num_partitions = 2, .replication_factor = 1}, {}));
  REQUIRE_OK(controller->FenceBroker(N(1)));
  REQUIRE_OK(controller->SetTopicConfigs("a", {{"min.insync.replicas", "2"}}));
  REQUIRE_OK(controller->RegisterBroker(N(1), {}));
  REQUIRE_OK(controller->CreatePartitions("a", {.total_count = 6}));
  REQUIRE_OK(controller->DeleteTopic("b"));
  REQUIRE_OK(controller->UnregisterBroker(N(2)));

  const std::vector<MetadataRecord> log = store->log();
  const std::shared_ptr<const ClusterImage> current = store->image();
  REQUIRE(current->version() == static_cast<int64_t>(log.size()));

  // All at once, and one record at a time, give the same image.
  ASSIGN_OR_REQUIRE(ClusterImage replayed, ClusterImage::Replay(log));
  CHECK(replayed == *current);
  ClusterImage stepwise;
  for (const MetadataRecord& record : log) {
    ASSIGN_OR_REQUIRE(stepwise, stepwise.Apply(record));
  }
  CHECK(stepwise == *current);
  // A prefix gives an older image, not the current one.
  ASSIGN_OR_REQUIRE(ClusterImage prefix, ClusterImage::Replay(std::span(
                                             log.data(), log.size() - 1)));
  CHECK_FALSE(prefix == *current);
}

TEST_CASE("An image rebuilt from its snapshot records is equal, version too",
          "[replication]") {
  auto store = std::make_shared<RecordingStore>();
  ASSIGN_OR_REQUIRE(
      auto controller,
      Controller::Create({.store = store,
                          .clock = std::make_shared<ManualClock>(0),
                          .assignment_seed = 5}));
  for (int id = 0; id < 3; ++id) {
    REQUIRE_OK(controller->RegisterBroker(N(id), {{"PLAINTEXT", "h", id}}));
  }
  REQUIRE_OK(controller->CreateTopic(
      {.name = "a", .num_partitions = 3, .replication_factor = 2}, {}));
  REQUIRE_OK(controller->FenceBroker(N(1)));  // leaders and ISRs move
  REQUIRE_OK(controller->SetTopicConfigs("a", {{"retention.ms", "10"}}));
  const std::shared_ptr<const ClusterImage> current = store->image();

  const std::vector<MetadataRecord> records = current->SnapshotRecords();
  CHECK(records.size() == 4);  // three brokers, one topic
  ASSIGN_OR_REQUIRE(ClusterImage rebuilt,
                    ClusterImage::FromSnapshot(current->version(), records));
  CHECK(rebuilt.version() == current->version());
  CHECK(rebuilt == *current);
  // A replay alone gives the same brokers and topics at a smaller version.
  ASSIGN_OR_REQUIRE(ClusterImage replayed, ClusterImage::Replay(records));
  CHECK(replayed.version() == 4);
  CHECK_FALSE(replayed == *current);
  // No image at version 3 holds what four records made.
  CHECK(ClusterImage::FromSnapshot(3, records).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Apply refuses a batch with a record that does not fit, whole",
          "[replication]") {
  const Uuid id = Uuid::Random();
  const PartitionState p0{
      .replicas = Ids({1}), .isr = Ids({1}), .leader = N(1)};
  ASSIGN_OR_REQUIRE(
      ClusterImage base,
      ClusterImage::Replay(std::vector<MetadataRecord>{
          RegisterBrokerRecord{.id = N(1), .epoch = 0, .fenced = false},
          CreateTopicRecord{
              .topic = {.name = "t", .id = id, .partitions = {p0}}}}));
  PartitionState next = p0;
  next.partition_epoch = 1;

  SECTION("a partition change computed against an older partition epoch") {
    PartitionState stale = p0;  // partition_epoch 0 again
    absl::StatusOr<ClusterImage> applied =
        base.Apply(std::vector<MetadataRecord>{
            ChangePartitionRecord{.topic_id = id, .state = next},
            ChangePartitionRecord{.topic_id = id, .state = stale}});
    CHECK(applied.status().code() == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a leader outside the ISR") {
    next.leader = N(2);
    CHECK_FALSE(
        base.Apply(ChangePartitionRecord{.topic_id = id, .state = next}).ok());
  }
  SECTION("a record for a topic that does not exist") {
    CHECK_FALSE(base.Apply(DeleteTopicRecord{.topic_id = Uuid::Random()}).ok());
  }
  SECTION("a broker registration that goes back in epoch") {
    CHECK_FALSE(base.Apply(RegisterBrokerRecord{.id = N(1), .epoch = 0}).ok());
  }
  SECTION("a fence of another incarnation") {
    CHECK_FALSE(base.Apply(FenceBrokerRecord{.id = N(1), .epoch = 5}).ok());
  }
  // Nothing of a refused batch shows: the base is unchanged.
  CHECK(base.version() == 2);
  CHECK(*base.FindPartition({"t", PartitionId(0)}) == p0);
}

TEST_CASE("An image never changes once made: Apply returns a new one",
          "[replication]") {
  const Uuid id = Uuid::Random();
  const PartitionState p0{
      .replicas = Ids({1, 2}), .isr = Ids({1, 2}), .leader = N(1)};
  ASSIGN_OR_REQUIRE(
      ClusterImage before,
      ClusterImage().Apply(CreateTopicRecord{
          .topic = {.name = "t", .id = id, .partitions = {p0, p0}}}));
  PartitionState shrunk = p0;
  shrunk.isr = Ids({1});
  shrunk.partition_epoch = 1;
  ASSIGN_OR_REQUIRE(
      ClusterImage after,
      before.Apply(ChangePartitionRecord{
          .topic_id = id, .partition = PartitionId(1), .state = shrunk}));
  CHECK(before.FindPartition({"t", PartitionId(1)})->isr == Ids({1, 2}));
  CHECK(after.FindPartition({"t", PartitionId(1)})->isr == Ids({1}));
  CHECK(after.FindPartition({"t", PartitionId(0)})->isr == Ids({1, 2}));
  CHECK(after.version() == before.version() + 1);
}

TEST_CASE("Image queries find brokers, topics and partitions",
          "[replication]") {
  const Uuid id = Uuid::Random();
  ASSIGN_OR_REQUIRE(
      ClusterImage image,
      ClusterImage::Replay(std::vector<MetadataRecord>{
          RegisterBrokerRecord{.id = N(1), .epoch = 0, .fenced = false},
          RegisterBrokerRecord{.id = N(2), .epoch = 1, .fenced = false},
          RegisterBrokerRecord{.id = N(3), .epoch = 2, .fenced = false},
          FenceBrokerRecord{.id = N(3), .epoch = 2},
          CreateTopicRecord{.topic = {.name = "t",
                                      .id = id,
                                      .partitions = {{.replicas = Ids({1, 2}),
                                                      .isr = Ids({1, 2}),
                                                      .leader = N(1)},
                                                     {.replicas = Ids({2, 3}),
                                                      .isr = Ids({2}),
                                                      .leader = N(2)}}}}}));
  CHECK(image.LiveBrokers() == Ids({1, 2}));
  CHECK(image.IsLive(N(1)));
  CHECK_FALSE(image.IsLive(N(3)));
  CHECK_FALSE(image.IsLive(N(9)));
  REQUIRE(image.FindTopicById(id) != nullptr);
  CHECK(image.FindTopicById(id)->name == "t");
  CHECK(image.FindTopic("u") == nullptr);
  CHECK(image.FindPartition({"t", PartitionId(2)}) == nullptr);
  CHECK(image.PartitionsLedBy(N(2)) ==
        std::vector<TopicPartition>{{"t", PartitionId(1)}});
  CHECK(image.PartitionsOn(N(2)) ==
        std::vector<TopicPartition>{{"t", PartitionId(0)},
                                    {"t", PartitionId(1)}});
  CHECK(image.PartitionsOn(N(3)) ==
        std::vector<TopicPartition>{{"t", PartitionId(1)}});
}

}  // namespace
}  // namespace rill::replication
