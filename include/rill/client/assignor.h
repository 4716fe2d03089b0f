// rill/client/assignor.h — how a consumer group's leader divides partitions
// among the group's members.
//
// In Kafka's classic group protocol the broker only relays bytes: each
// member names the assignors it supports in JoinGroup, the coordinator picks
// one every member supports, and the member elected leader runs it over
// everyone's subscriptions and hands the result back through SyncGroup. The
// assignors here are Kafka's, under Kafka's names, and produce what the Java
// client's produce, so rill consumers can share a group with Java and
// librdkafka consumers:
//
//   "range"               per topic, contiguous ranges of partitions
//   "roundrobin"          all partitions dealt round-robin over all members
//   "cooperative-sticky"  balanced, keeps owned partitions, and never hands a
//                         partition to a new owner in the same rebalance in
//                         which its old owner still holds it (KIP-429)
//
//   std::unique_ptr<rill::Assignor> assignor =
//       rill::AssignorByName("cooperative-sticky").value();
//   ASSIGN_OR_RETURN(
//       rill::Assignor::GroupAssignment assignment,
//       assignor->Assign({{"orders", 12}},
//                        {{"member-1", {.topics = {"orders"}}},
//                         {"member-2", {.topics = {"orders"}}}}));
//
// Topics missing from partitions_per_topic (unknown to the metadata) or with
// zero partitions are skipped. Every member in the subscriptions gets an
// entry in the result, empty if nothing is assigned to it. Each member's
// partitions are sorted by (topic, partition).
#ifndef RILL_CLIENT_ASSIGNOR_H_
#define RILL_CLIENT_ASSIGNOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/types.h"

namespace rill {

// RebalanceProtocol is how members give up partitions in a rebalance.
enum class RebalanceProtocol {
  // Every member revokes all its partitions before rejoining.
  kEager,
  // Members keep their partitions while rejoining and revoke only those the
  // new assignment takes away, then rejoin once more (KIP-429).
  kCooperative,
};

// Assignor computes a group's assignment. Implementations are stateless and
// thread-safe; one instance may serve any number of consumers.
class Assignor {
 public:
  // Subscription is what one member sent in its JoinGroup metadata (see
  // ConsumerProtocolSubscription in lib/client/consumer_protocol.h).
  struct Subscription {
    // Topics the member subscribes to. Default: none.
    std::vector<std::string> topics = {};
    // Assignor-specific bytes from SubscriptionUserData. Default: null.
    std::optional<std::string> user_data = std::nullopt;
    // Partitions the member holds now (protocol v1+). Default: none.
    std::vector<TopicPartition> owned_partitions = {};
    // Generation in which the member got owned_partitions (protocol v2+);
    // -1 when unknown. Default: -1.
    int32_t generation_id = -1;
    // The member's group.instance.id if it is a static member. Default: none.
    std::optional<std::string> group_instance_id = std::nullopt;
  };

  // PartitionCounts maps a topic to its number of partitions.
  using PartitionCounts = std::map<std::string, int32_t>;
  // Subscriptions maps a member id to its subscription.
  using Subscriptions = std::map<std::string, Subscription>;
  // GroupAssignment maps a member id to the partitions assigned to it.
  using GroupAssignment = std::map<std::string, std::vector<TopicPartition>>;

  Assignor() = default;
  Assignor(const Assignor&) = delete;
  Assignor& operator=(const Assignor&) = delete;
  virtual ~Assignor() = default;

  // name is the protocol name members advertise in JoinGroup, e.g. "range".
  virtual std::string_view name() const = 0;

  // supported_protocols lists the rebalance protocols this assignor's
  // assignments are correct under, preferred first.
  virtual std::vector<RebalanceProtocol> supported_protocols() const = 0;

  // SubscriptionUserData is what a member puts in its subscription's
  // user_data for this assignor, given its subscribed topics and the
  // generation of its current assignment (-1 if none). Default: null.
  virtual std::optional<std::string> SubscriptionUserData(
      std::span<const std::string> topics, int32_t generation_id) const;

  // Assign divides the partitions of the subscribed topics among the
  // members. kInvalidArgument for a negative partition count.
  virtual absl::StatusOr<GroupAssignment> Assign(
      const PartitionCounts& partitions_per_topic,
      const Subscriptions& subscriptions) const = 0;
};

// NewRangeAssignor returns Kafka's RangeAssignor ("range"): for each topic,
// its subscribers in order (static members by group.instance.id first, then
// the rest by member id) take contiguous ranges of partitions, the first
// (partitions % subscribers) one partition more than the others.
std::unique_ptr<Assignor> NewRangeAssignor();

// NewRoundRobinAssignor returns Kafka's RoundRobinAssignor ("roundrobin"):
// all partitions of all subscribed topics, in (topic, partition) order, are
// dealt to the members in the same order as the range assignor's, skipping a
// member not subscribed to the partition's topic.
std::unique_ptr<Assignor> NewRoundRobinAssignor();

// NewCooperativeStickyAssignor returns the "cooperative-sticky" assignor:
// balanced, sticky, and safe under the cooperative protocol (see
// lib/client/cooperative_sticky_assignor.cc for the algorithm).
std::unique_ptr<Assignor> NewCooperativeStickyAssignor();

// AssignorByName returns a new assignor by its Kafka name ("range",
// "roundrobin", "cooperative-sticky"); kNotFound for any other name.
absl::StatusOr<std::unique_ptr<Assignor>> AssignorByName(std::string_view name);

}  // namespace rill

#endif  // RILL_CLIENT_ASSIGNOR_H_
