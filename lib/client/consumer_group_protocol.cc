#include "client/consumer_group_protocol.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/consumer_protocol.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::client {

absl::StatusOr<std::unique_ptr<ConsumerGroupProtocol>>
ConsumerGroupProtocol::Create(std::shared_ptr<Router> router,
                              const std::vector<std::string>& assignor_names) {
  std::vector<std::unique_ptr<Assignor>> assignors;
  for (const std::string& name : assignor_names) {
    absl::StatusOr<std::unique_ptr<Assignor>> assignor = AssignorByName(name);
    if (!assignor.ok()) {
      return absl::InvalidArgumentError(assignor.status().message());
    }
    assignors.push_back(*std::move(assignor));
  }
  return std::unique_ptr<ConsumerGroupProtocol>(
      new ConsumerGroupProtocol(std::move(router), std::move(assignors)));
}

const Assignor* ConsumerGroupProtocol::Find(std::string_view name) const {
  for (const auto& assignor : assignors_) {
    if (assignor->name() == name) return assignor.get();
  }
  return nullptr;
}

absl::StatusOr<std::vector<GroupProtocol>> ConsumerGroupProtocol::Protocols(
    const std::vector<std::string>& topics,
    const std::vector<TopicPartition>& owned, int32_t generation_id) const {
  std::vector<GroupProtocol> protocols;
  for (const auto& assignor : assignors_) {
    ConsumerProtocolSubscription subscription{
        .version = kConsumerProtocolMaxVersion,
        .topics = topics,
        .user_data = assignor->SubscriptionUserData(topics, generation_id),
        .owned_partitions = GroupByTopic(owned),
        .generation_id = generation_id,
        .rack_id = std::nullopt};
    ASSIGN_OR_RETURN(std::string metadata, EncodeSubscription(subscription));
    protocols.push_back({.name = std::string(assignor->name()),
                         .metadata = std::move(metadata)});
  }
  return protocols;
}

RebalanceProtocol ConsumerGroupProtocol::RebalanceProtocolOf(
    std::string_view assignor) const {
  const Assignor* found = Find(assignor);
  if (found == nullptr) return RebalanceProtocol::kEager;
  const std::vector<RebalanceProtocol> supported = found->supported_protocols();
  return supported.empty() ? RebalanceProtocol::kEager : supported.front();
}

absl::StatusOr<std::vector<SyncGroupAssignment>> ConsumerGroupProtocol::Assign(
    const JoinGroupResponse& join) const {
  const Assignor* assignor = Find(join.protocol_name);
  if (assignor == nullptr) {
    return MakeError(
        ErrorReason::kInconsistentGroupProtocol,
        absl::StrCat("the group chose assignor \"", join.protocol_name,
                     "\", which this consumer does not have"));
  }
  Assignor::Subscriptions subscriptions;
  std::set<std::string> topics;
  for (const JoinGroupMember& member : join.members) {
    Assignor::Subscription& s = subscriptions[member.member_id];
    s.group_instance_id = member.group_instance_id;
    absl::StatusOr<ConsumerProtocolSubscription> decoded =
        DecodeSubscription(member.metadata);
    if (!decoded.ok()) continue;  // unreadable: subscribed to nothing
    s.topics = decoded->topics;
    s.user_data = decoded->user_data;
    s.owned_partitions = FlattenTopicPartitions(decoded->owned_partitions);
    s.generation_id = decoded->generation_id;
    topics.insert(decoded->topics.begin(), decoded->topics.end());
  }
  Assignor::PartitionCounts counts;
  for (const std::string& topic : topics) {
    absl::StatusOr<TopicDescription> description =
        router_->DescribeTopic(topic);
    if (!description.ok()) continue;  // not there (yet): nothing to assign
    counts[topic] = static_cast<int32_t>(description->partitions.size());
  }
  ASSIGN_OR_RETURN(Assignor::GroupAssignment assignment,
                   assignor->Assign(counts, subscriptions));
  std::vector<SyncGroupAssignment> out;
  out.reserve(subscriptions.size());
  for (const auto& [member_id, subscription] : subscriptions) {
    const std::vector<TopicPartition>& partitions = assignment[member_id];
    ASSIGN_OR_RETURN(
        std::string bytes,
        EncodeAssignment({.version = kConsumerProtocolMaxVersion,
                          .assigned_partitions = GroupByTopic(partitions),
                          .user_data = std::nullopt}));
    out.push_back({.member_id = member_id, .assignment = std::move(bytes)});
  }
  return out;
}

absl::StatusOr<std::vector<TopicPartition>>
ConsumerGroupProtocol::DecodeAssignment(std::string_view bytes) {
  if (bytes.empty()) return std::vector<TopicPartition>{};
  ASSIGN_OR_RETURN(ConsumerProtocolAssignment assignment,
                   client::DecodeAssignment(bytes));
  return FlattenTopicPartitions(assignment.assigned_partitions);
}

}  // namespace rill::client
