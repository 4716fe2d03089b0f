#include "client/router.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "rill/error.h"

namespace rill::client {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status NoBroker() {
  return MakeError(ErrorReason::kLeaderNotAvailable,
                   "no broker of the cluster is reachable");
}

}  // namespace

bool IsLeaderError(const absl::Status& status) {
  switch (GetErrorReason(status)) {
    case ErrorReason::kNotLeaderOrFollower:
    case ErrorReason::kLeaderNotAvailable:
    case ErrorReason::kFencedLeaderEpoch:
    case ErrorReason::kUnknownLeaderEpoch:
    case ErrorReason::kUnknownTopicOrPartition:
    case ErrorReason::kKafkaStorageError:
      return true;
    default:
      return false;
  }
}

bool IsCoordinatorError(const absl::Status& status) {
  switch (GetErrorReason(status)) {
    case ErrorReason::kNotCoordinator:
    case ErrorReason::kCoordinatorNotAvailable:
    case ErrorReason::kCoordinatorLoadInProgress:
      return true;
    default:
      return false;
  }
}

bool Router::Backoff(absl::Time deadline) {
  if (absl::Now() + kRetryBackoff > deadline) return false;
  absl::SleepFor(kRetryBackoff);
  return true;
}

absl::StatusOr<std::shared_ptr<Broker>> Router::AnyBroker() {
  std::vector<std::shared_ptr<Broker>> brokers = directory_->Bootstrap();
  if (brokers.empty()) return NoBroker();
  return std::move(brokers.front());
}

absl::StatusOr<TopicDescription> Router::DescribeTopic(std::string_view topic) {
  std::vector<std::shared_ptr<Broker>> brokers = directory_->Bootstrap();
  if (brokers.empty()) return NoBroker();
  TopicDescription merged;
  bool described = false;
  absl::Status first;
  for (const std::shared_ptr<Broker>& broker : brokers) {
    absl::StatusOr<TopicDescription> description = broker->DescribeTopic(topic);
    if (!description.ok()) {
      if (first.ok()) first = description.status();
      continue;
    }
    if (!described) {
      merged = *std::move(description);
      described = true;
      continue;
    }
    // A broker cut off from the cluster may still answer with old
    // metadata: each partition as the newest leader epoch shows it (as
    // Kafka's clients keep the metadata of the highest epoch, KIP-320).
    for (size_t p = 0; p < description->partitions.size(); ++p) {
      PartitionDescription& newer = description->partitions[p];
      if (p >= merged.partitions.size()) {
        merged.partitions.push_back(std::move(newer));
      } else if (newer.leader_epoch > merged.partitions[p].leader_epoch) {
        merged.partitions[p] = std::move(newer);
      }
    }
  }
  if (!described) return first;
  Remember(merged);
  return merged;
}

void Router::Remember(const TopicDescription& description) {
  std::vector<PartitionLeader> leaders;
  leaders.reserve(description.partitions.size());
  for (const PartitionDescription& p : description.partitions) {
    leaders.push_back({.node = p.leader, .epoch = p.leader_epoch});
  }
  absl::MutexLock lock(&mu_);
  leaders_[description.name] = std::move(leaders);
}

absl::StatusOr<PartitionLeader> Router::Leader(const TopicPartition& tp) {
  const int32_t p = tp.partition.value();
  {
    absl::MutexLock lock(&mu_);
    auto it = leaders_.find(tp.topic);
    // A partition past the cached count may be new: described below.
    if (it != leaders_.end() && p >= 0 &&
        p < static_cast<int32_t>(it->second.size())) {
      return it->second[p];
    }
  }
  absl::StatusOr<TopicDescription> described = DescribeTopic(tp.topic);
  if (!described.ok()) return described.status();
  if (p < 0 || p >= static_cast<int32_t>(described->partitions.size())) {
    return MakeError(ErrorReason::kUnknownTopicOrPartition,
                     absl::StrCat("topic ", tp.topic, " has no partition ", p));
  }
  const PartitionDescription& partition = described->partitions[p];
  return PartitionLeader{.node = partition.leader,
                         .epoch = partition.leader_epoch};
}

absl::StatusOr<LeaderBroker> Router::FindLeader(const TopicPartition& tp) {
  absl::StatusOr<PartitionLeader> leader = Leader(tp);
  if (!leader.ok()) return leader.status();
  std::shared_ptr<Broker> broker =
      leader->node.value() >= 0 ? directory_->Get(leader->node) : nullptr;
  if (broker == nullptr) {
    InvalidateLeaders(tp.topic);
    return MakeError(
        ErrorReason::kLeaderNotAvailable,
        leader->node.value() < 0
            ? absl::StrCat(tp.ToString(), " has no leader now")
            : absl::StrCat("broker ", leader->node.value(), ", leader of ",
                           tp.ToString(), ", is not reachable"));
  }
  return LeaderBroker{.broker = std::move(broker), .epoch = leader->epoch};
}

void Router::InvalidateLeaders(std::string_view topic) {
  absl::MutexLock lock(&mu_);
  leaders_.erase(AbslView(topic));
}

absl::StatusOr<std::shared_ptr<Broker>> Router::Coordinator(
    std::string_view group_id) {
  NodeId node(-1);
  {
    absl::MutexLock lock(&mu_);
    auto it = coordinators_.find(AbslView(group_id));
    if (it != coordinators_.end()) node = it->second;
  }
  if (node.value() < 0) {
    std::vector<std::shared_ptr<Broker>> brokers = directory_->Bootstrap();
    absl::Status first = MakeError(ErrorReason::kCoordinatorNotAvailable,
                                   "no broker of the cluster is reachable");
    for (size_t i = 0; i < brokers.size() && node.value() < 0; ++i) {
      absl::StatusOr<NodeId> found = brokers[i]->FindGroupCoordinator(group_id);
      if (found.ok()) {
        node = *found;
      } else if (i == 0) {
        first = found.status();
      }
    }
    if (node.value() < 0) return first;
    absl::MutexLock lock(&mu_);
    coordinators_[AbslView(group_id)] = node;
  }
  std::shared_ptr<Broker> broker = directory_->Get(node);
  if (broker == nullptr) {
    InvalidateCoordinator(group_id);
    return MakeError(ErrorReason::kCoordinatorNotAvailable,
                     absl::StrCat("broker ", node.value(),
                                  ", coordinator of "
                                  "group ",
                                  AbslView(group_id), ", is not reachable"));
  }
  return broker;
}

void Router::InvalidateCoordinator(std::string_view group_id) {
  absl::MutexLock lock(&mu_);
  coordinators_.erase(AbslView(group_id));
}

}  // namespace rill::client
