// client/consumer_group_protocol.h — the consumer's half of the group
// protocol (Kafka's ConsumerCoordinator, minus the rebalance listener):
// what a member says in JoinGroup (one protocol per configured assignor,
// each with its ConsumerProtocolSubscription) and what the leader answers in
// SyncGroup (the chosen assignor's result, as ConsumerProtocolAssignments).
#ifndef RILL_CLIENT_CONSUMER_GROUP_PROTOCOL_H_
#define RILL_CLIENT_CONSUMER_GROUP_PROTOCOL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/router.h"
#include "rill/client/assignor.h"
#include "rill/group/group_coordinator.h"
#include "rill/types.h"

namespace rill::client {

// ConsumerGroupProtocol is owned by a consumer. Immutable after Create;
// thread-safe.
class ConsumerGroupProtocol {
 public:
  // Create instantiates the assignors named (in preference order);
  // kInvalidArgument for an unknown name.
  static absl::StatusOr<std::unique_ptr<ConsumerGroupProtocol>> Create(
      std::shared_ptr<Router> router,
      const std::vector<std::string>& assignor_names);

  // Protocols is JoinGroup's protocol list for a member subscribed to
  // `topics` that owns `owned` since generation `generation_id` (-1: none):
  // each assignor's name with a subscription carrying the owned partitions
  // (so cooperative-sticky can keep them) and its user data.
  absl::StatusOr<std::vector<GroupProtocol>> Protocols(
      const std::vector<std::string>& topics,
      const std::vector<TopicPartition>& owned, int32_t generation_id) const;

  // RebalanceProtocolOf says how members give up partitions under the
  // assignor the coordinator chose: cooperatively when that assignor
  // prefers it (cooperative-sticky), else eagerly.
  RebalanceProtocol RebalanceProtocolOf(std::string_view assignor) const;

  // Assign is the leader's job: decode every member's subscription, look up
  // the partition counts of every subscribed topic (unknown topics are
  // left out), run the chosen assignor, and encode each member's share.
  // A member whose metadata cannot be decoded is given nothing.
  absl::StatusOr<std::vector<SyncGroupAssignment>> Assign(
      const JoinGroupResponse& join) const;

  // DecodeAssignment reads this member's partitions from SyncGroup's bytes
  // (empty bytes: nothing assigned, as a coordinator answers a member the
  // leader left out).
  static absl::StatusOr<std::vector<TopicPartition>> DecodeAssignment(
      std::string_view bytes);

 private:
  ConsumerGroupProtocol(std::shared_ptr<Router> router,
                        std::vector<std::unique_ptr<Assignor>> assignors)
      : router_(std::move(router)), assignors_(std::move(assignors)) {}
  const Assignor* Find(std::string_view name) const;

  // Partition counts come from any live broker.
  const std::shared_ptr<Router> router_;
  const std::vector<std::unique_ptr<Assignor>> assignors_;
};

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_GROUP_PROTOCOL_H_
