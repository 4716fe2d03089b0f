// controller_test_util.h — a controller over an in-process store on a
// manual clock, with registered brokers, for the replication tests.
#ifndef RILL_TESTS_REPLICATION_CONTROLLER_TEST_UTIL_H_
#define RILL_TESTS_REPLICATION_CONTROLLER_TEST_UTIL_H_

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rill/clock.h"
#include "rill/replication/controller.h"
#include "rill/replication/metadata_store.h"
#include "status_test_util.h"

namespace rill::replication::test {

inline NodeId N(int32_t id) { return NodeId(id); }

inline std::vector<NodeId> Ids(std::initializer_list<int32_t> ids) {
  std::vector<NodeId> out;
  for (int32_t id : ids) out.push_back(NodeId(id));
  return out;
}

inline bool Contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// ControllerHarness owns a store, a manual clock and a controller whose
// placement is seeded, and remembers each broker's epoch.
struct ControllerHarness {
  // `options` supplies the knobs under test; store, clock and seed are the
  // harness's.
  explicit ControllerHarness(int brokers, ControllerOptions options = {}) {
    options.store = store;
    options.clock = clock;
    if (options.assignment_seed < 0) options.assignment_seed = 7;
    auto created = Controller::Create(std::move(options));
    REQUIRE_OK(created);
    controller = *std::move(created);
    for (int id = 0; id < brokers; ++id) Register(id);
  }

  // Register registers broker `id` again; `clean` is whether its last
  // shutdown was clean.
  int64_t Register(int32_t id, bool clean = true) {
    absl::StatusOr<int64_t> epoch = controller->RegisterBroker(
        NodeId(id), {{"PLAINTEXT", "127.0.0.1", 9092 + id}},
        {.previous_shutdown_clean = clean});
    REQUIRE_OK(epoch);
    epochs[NodeId(id)] = *epoch;
    return *epoch;
  }

  TopicState Create(const std::string& name, int32_t partitions,
                    int16_t replication_factor,
                    std::map<std::string, std::string> configs = {}) {
    absl::StatusOr<TopicState> topic =
        controller->CreateTopic({.name = name,
                                 .num_partitions = partitions,
                                 .replication_factor = replication_factor,
                                 .configs = std::move(configs)},
                                {});
    REQUIRE_OK(topic);
    return *std::move(topic);
  }

  // Place creates a topic with replicas placed by hand.
  TopicState Place(const std::string& name,
                   std::vector<std::vector<NodeId>> assignment,
                   std::map<std::string, std::string> configs = {}) {
    absl::StatusOr<TopicState> topic =
        controller->CreateTopic({.name = name, .configs = std::move(configs)},
                                {.replica_assignment = std::move(assignment)});
    REQUIRE_OK(topic);
    return *std::move(topic);
  }

  // Fence fences brokers in the order given.
  void Fence(std::initializer_list<int32_t> ids) {
    for (int32_t id : ids) REQUIRE_OK(controller->FenceBroker(NodeId(id)));
  }

  // Partition reads a partition's state from the newest image.
  PartitionState Partition(const std::string& topic, int32_t p) const {
    const std::shared_ptr<const ClusterImage> image = controller->image();
    const PartitionState* state = image->FindPartition({topic, PartitionId(p)});
    REQUIRE(state != nullptr);
    return *state;
  }

  // HeartbeatAll heartbeats every live broker.
  void HeartbeatAll() {
    for (NodeId id : controller->image()->LiveBrokers()) {
      REQUIRE_OK(controller->Heartbeat(id, epochs.at(id)));
    }
  }

  // AlterRequest is the partition's leader asking for `isr` now.
  AlterPartitionRequest AlterRequest(const std::string& topic, int32_t p,
                                     std::vector<NodeId> isr) const {
    const PartitionState state = Partition(topic, p);
    return {.leader_id = state.leader,
            .leader_broker_epoch = epochs.at(state.leader),
            .partition = {topic, PartitionId(p)},
            .leader_epoch = state.leader_epoch,
            .partition_epoch = state.partition_epoch,
            .new_isr = std::move(isr)};
  }
  absl::StatusOr<PartitionState> Alter(const std::string& topic, int32_t p,
                                       std::vector<NodeId> isr) {
    return controller->AlterPartition(AlterRequest(topic, p, std::move(isr)));
  }

  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(1'000'000);
  std::shared_ptr<MetadataStore> store = NewInProcessMetadataStore();
  std::unique_ptr<Controller> controller;
  std::map<NodeId, int64_t> epochs;
};

}  // namespace rill::replication::test

#endif  // RILL_TESTS_REPLICATION_CONTROLLER_TEST_UTIL_H_
