// The controller's partition decisions: re-elections when brokers come and
// go, preferred-leader moves, and the leader's ISR changes.
#include <map>
#include <set>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "replication/controller_impl.h"
#include "replication/partition_change.h"
#include "replication/topic_configs.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::replication::internal {
namespace {

using Changes = std::vector<std::pair<TopicPartition, PartitionChange>>;

// ForEachPartition calls fn(tp, state, topic) for every partition.
template <typename Fn>
void ForEachPartition(const ClusterImage& image, Fn fn) {
  for (const auto& [name, topic] : image.topics()) {
    for (size_t i = 0; i < topic->partitions.size(); ++i) {
      fn(TopicPartition{name, PartitionId(static_cast<int32_t>(i))},
         topic->partitions[i], *topic);
    }
  }
}

}  // namespace

ElectionRules ControllerImpl::Rules(const TopicState& topic) const {
  return {.min_insync_replicas =
              MinInsyncReplicas(topic, options_.min_insync_replicas),
          .unclean_allowed = UncleanElectionEnabled(
              topic, options_.unclean_leader_election_enable)};
}

absl::Status ControllerImpl::AddForgetUnclean(ChangeBuilder& changes,
                                              NodeId id) const {
  Changes out;
  ForEachPartition(changes.image(),
                   [&](const TopicPartition& tp, const PartitionState& p,
                       const TopicState& t) {
                     if (auto change = ForgetUncleanReplica(p, id, Rules(t))) {
                       out.emplace_back(tp, *std::move(change));
                     }
                   });
  return changes.AddPartitionChanges(std::move(out));
}

absl::Status ControllerImpl::ReelectAll(ChangeBuilder& changes,
                                        std::optional<NodeId> leaving) const {
  const ClusterImage& image = changes.image();
  auto is_live = [&](NodeId r) { return r != leaving && image.IsLive(r); };
  Changes out;
  ForEachPartition(image, [&](const TopicPartition& tp, const PartitionState& p,
                              const TopicState& t) {
    if (auto change = Reelect(p, is_live, Rules(t))) {
      out.emplace_back(tp, *std::move(change));
    }
  });
  return changes.AddPartitionChanges(std::move(out));
}

absl::Status ControllerImpl::AddFence(ChangeBuilder& changes, NodeId id) const {
  const BrokerRegistration* broker = changes.image().FindBroker(id);
  if (broker == nullptr || broker->fenced) return absl::OkStatus();
  RETURN_IF_ERROR(
      changes.Add(FenceBrokerRecord{.id = id, .epoch = broker->epoch}));
  return ReelectAll(changes, std::nullopt);
}

absl::Status ControllerImpl::AddPreferred(ChangeBuilder& changes,
                                          bool imbalanced_only,
                                          int32_t* moved) const {
  const ClusterImage& image = changes.image();
  // Per preferred broker: how many partitions prefer it, how many of those
  // others lead.
  std::map<NodeId, std::pair<int64_t, int64_t>> preferred;
  ForEachPartition(image, [&](const TopicPartition&, const PartitionState& p,
                              const TopicState&) {
    auto& [total, elsewhere] = preferred[p.replicas.front()];
    ++total;
    elsewhere += p.leader != p.replicas.front() ? 1 : 0;
  });
  const int64_t percentage = options_.leader_imbalance_per_broker_percentage;
  auto due = [&](NodeId broker) {
    const auto& [total, elsewhere] = preferred[broker];
    return !imbalanced_only || elsewhere * 100 > percentage * total;
  };
  auto is_live = [&](NodeId r) { return image.IsLive(r); };
  Changes out;
  ForEachPartition(image, [&](const TopicPartition& tp, const PartitionState& p,
                              const TopicState& t) {
    if (!due(p.replicas.front())) return;
    if (auto change = ElectPreferred(p, is_live, Rules(t))) {
      out.emplace_back(tp, *std::move(change));
    }
  });
  *moved = static_cast<int32_t>(out.size());
  return changes.AddPartitionChanges(std::move(out));
}

absl::StatusOr<int32_t> ControllerImpl::ElectPreferredLeaders() {
  int32_t moved = 0;
  RETURN_IF_ERROR(Write([&](ChangeBuilder& changes) {
    return AddPreferred(changes, /*imbalanced_only=*/false, &moved);
  }));
  return moved;
}

namespace {

// CheckAlterPartition applies Kafka's AlterPartition checks, in Kafka's
// order of precedence.
absl::Status CheckAlterPartition(const AlterPartitionRequest& request,
                                 const ClusterImage& image,
                                 const PartitionState*& partition) {
  const std::string tp = request.partition.ToString();
  const BrokerRegistration* sender = image.FindBroker(request.leader_id);
  if (sender == nullptr || sender->epoch != request.leader_broker_epoch) {
    return MakeError(
        ErrorReason::kStaleBrokerEpoch,
        absl::StrCat("broker ", request.leader_id.value(), " epoch ",
                     request.leader_broker_epoch, " is not current"));
  }
  partition = image.FindPartition(request.partition);
  if (partition == nullptr) {
    return MakeError(ErrorReason::kUnknownTopicOrPartition,
                     absl::StrCat(tp, " does not exist"));
  }
  if (request.leader_epoch != partition->leader_epoch) {
    return MakeError(ErrorReason::kFencedLeaderEpoch,
                     absl::StrCat(tp, " is at leader epoch ",
                                  partition->leader_epoch.value(), ", not ",
                                  request.leader_epoch.value()));
  }
  if (request.leader_id != partition->leader) {
    return MakeError(ErrorReason::kNotLeaderOrFollower,
                     absl::StrCat("broker ", request.leader_id.value(),
                                  " does not lead ", tp));
  }
  if (request.partition_epoch != partition->partition_epoch) {
    return MakeError(
        ErrorReason::kInvalidUpdateVersion,
        absl::StrCat(tp, " is at partition epoch ", partition->partition_epoch,
                     ", not ", request.partition_epoch));
  }
  const std::set<NodeId> isr(request.new_isr.begin(), request.new_isr.end());
  bool subset = isr.size() == request.new_isr.size();
  for (NodeId r : isr)
    subset = subset && absl::c_linear_search(partition->replicas, r);
  if (!subset || !isr.contains(partition->leader)) {
    return MakeError(ErrorReason::kInvalidRequest,
                     absl::StrCat("the ISR of ", tp,
                                  " must hold its leader and distinct "
                                  "replicas only"));
  }
  for (NodeId r : isr) {
    if (!image.IsLive(r)) {
      return MakeError(ErrorReason::kIneligibleReplica,
                       absl::StrCat("broker ", r.value(),
                                    " is fenced or unknown and cannot join "
                                    "the ISR of ",
                                    tp));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PartitionState> ControllerImpl::AlterPartition(
    const AlterPartitionRequest& request) {
  PartitionState result;
  RETURN_IF_ERROR(Write([&](ChangeBuilder& changes) -> absl::Status {
    const PartitionState* current = nullptr;
    RETURN_IF_ERROR(CheckAlterPartition(request, changes.image(), current));
    const TopicState* topic =
        changes.image().FindTopic(request.partition.topic);
    auto change =
        ChangeTo(*current, current->leader, request.new_isr, Rules(*topic));
    if (!change) {
      result = *current;
      return absl::OkStatus();
    }
    result = change->state;
    Changes out;
    out.emplace_back(request.partition, *std::move(change));
    return changes.AddPartitionChanges(std::move(out));
  }));
  return result;
}

}  // namespace rill::replication::internal
