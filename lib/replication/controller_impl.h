// ControllerImpl: the Controller over a MetadataStore.
//
// Every write is a plan run against the store's newest image and committed
// at that image's version; if another writer got in first, the plan runs
// again on the new image. So the controller holds no lock while the store
// runs subscribers, and two controllers (an old one and its successor)
// cannot interleave half-decisions.
#ifndef RILL_REPLICATION_CONTROLLER_IMPL_H_
#define RILL_REPLICATION_CONTROLLER_IMPL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "replication/change_builder.h"
#include "rill/replication/controller.h"

namespace rill::replication::internal {

// ControllerImpl: see Controller. Thread-safe.
class ControllerImpl final : public Controller {
 public:
  explicit ControllerImpl(ControllerOptions options);

  std::shared_ptr<const ClusterImage> image() const override {
    return store_->image();
  }
  ControllerMetrics metrics() const override;

  using Controller::RegisterBroker;
  absl::StatusOr<int64_t> RegisterBroker(
      NodeId id, std::vector<BrokerEndpoint> endpoints,
      const RegistrationOptions& options) override;
  absl::Status Heartbeat(NodeId id, int64_t broker_epoch) override;
  absl::Status FenceBroker(NodeId id) override;
  absl::Status ControlledShutdown(NodeId id, int64_t broker_epoch) override;
  absl::Status UnregisterBroker(NodeId id) override;
  absl::Status Tick() override;

  absl::StatusOr<TopicState> CreateTopic(
      const NewTopic& topic, const CreateTopicOptions& options) override;
  absl::Status DeleteTopic(std::string_view name) override;
  absl::Status CreatePartitions(std::string_view name,
                                const NewPartitions& request) override;
  absl::Status SetTopicConfigs(
      std::string_view name,
      std::map<std::string, std::string> configs) override;

  absl::StatusOr<PartitionState> AlterPartition(
      const AlterPartitionRequest& request) override;
  absl::StatusOr<int32_t> ElectPreferredLeaders() override;

 private:
  // A Plan adds a write's records to a builder over the newest image; it
  // may run more than once, so it writes its results, not appends them.
  using Plan = absl::FunctionRef<absl::Status(ChangeBuilder&)>;
  // Write runs `plan` and commits what it added, again on a newer image if
  // the store moved. OK once committed, or when the plan adds nothing.
  absl::Status Write(Plan plan) ABSL_LOCKS_EXCLUDED(mu_);

  // Elections (controller_elections.cc).
  // ReelectAll re-runs the election rules on every partition, treating
  // `leaving` (if set) as dead.
  absl::Status ReelectAll(ChangeBuilder& changes,
                          std::optional<NodeId> leaving) const;
  // AddFence fences a live broker and re-elects; nothing for a fenced one.
  absl::Status AddFence(ChangeBuilder& changes, NodeId id) const;
  // AddPreferred moves leadership to preferred replicas: of every
  // partition, or (`imbalanced_only`) only of brokers over
  // leader.imbalance.per.broker.percentage. Sets `moved`.
  absl::Status AddPreferred(ChangeBuilder& changes, bool imbalanced_only,
                            int32_t* moved) const;
  // AddForgetUnclean takes a broker back after an unclean shutdown out of
  // the ISRs and ELRs where another replica can lead.
  absl::Status AddForgetUnclean(ChangeBuilder& changes, NodeId id) const;
  // Rules are the topic's election settings.
  ElectionRules Rules(const TopicState& topic) const;

  // Topics (controller_topics.cc).
  absl::Status ValidateConfigs(
      const std::map<std::string, std::string>& configs) const;
  // DrawPlacementStart draws where a placement starts (leader index,
  // follower shift) from the seeded generator.
  std::pair<int32_t, int32_t> DrawPlacementStart() ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<std::vector<NodeId>>> Place(
      const ClusterImage& image, int32_t first_partition,
      int32_t num_partitions, int32_t replication_factor,
      std::pair<int32_t, int32_t> start) const;

  // Constant after construction.
  const ControllerOptions options_;
  const std::shared_ptr<MetadataStore> store_;
  const std::shared_ptr<Clock> clock_;

  mutable absl::Mutex mu_;
  // When each broker (by id and epoch) was last heard from. A live broker
  // missing here (registered through another controller) starts a fresh
  // session at the next Tick, as KRaft does after a controller failover.
  struct Session {
    int64_t epoch = -1;
    int64_t last_heard_ms = 0;
    // Shut down by ControlledShutdown: its heartbeats no longer unfence it.
    bool shut_down = false;
  };
  absl::flat_hash_map<NodeId, Session> sessions_ ABSL_GUARDED_BY(mu_);
  ChangeCounts counts_ ABSL_GUARDED_BY(mu_);
  int64_t next_rebalance_ms_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 placement_rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rill::replication::internal

#endif  // RILL_REPLICATION_CONTROLLER_IMPL_H_
