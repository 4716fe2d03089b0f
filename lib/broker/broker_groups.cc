// BrokerImpl's side of consumer groups in a cluster: the `__consumer_offsets`
// topic (created on first use), which broker coordinates a group (the leader
// of the group's offsets partition), and the coordinator following that
// leadership.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/broker_impl.h"
#include "rill/error.h"
#include "util/status_macros.h"
#include "util/topic_name.h"

namespace rill::broker {
namespace {

// kOffsets is the offsets topic's name for messages.
constexpr absl::string_view kOffsets(util::kOffsetsTopic.data(),
                                     util::kOffsetsTopic.size());

}  // namespace

std::vector<ClusterNode> BrokerImpl::LiveBrokers() {
  std::shared_ptr<const replication::ClusterImage> image;
  {
    absl::ReaderMutexLock lock(&mu_);
    image = image_;
  }
  std::vector<ClusterNode> nodes;
  if (image == nullptr) return nodes;
  for (const auto& [id, registration] : image->brokers()) {
    if (registration.fenced) continue;
    nodes.push_back({.id = id, .endpoints = registration.endpoints});
  }
  return nodes;
}

absl::Status BrokerImpl::CreateOffsetsTopic() {
  absl::MutexLock admin(&admin_mu_);
  if (GetTopic(util::kOffsetsTopic).ok()) return absl::OkStatus();
  const int16_t live = static_cast<int16_t>(
      std::clamp<size_t>(LiveBrokers().size(), 1, INT16_MAX));
  absl::Status created = CreateTopicLocked(
      {.name = std::string(util::kOffsetsTopic),
       .num_partitions = options_.offsets_topic_num_partitions,
       .replication_factor =
           std::min(options_.offsets_topic_replication_factor, live),
       .configs = {{"cleanup.policy", "compact"},
                   {"segment.bytes",
                    absl::StrCat(options_.offsets_topic_segment_bytes)}}},
      /*validate_only=*/false);
  // Another broker of the cluster may have created it meanwhile: once this
  // broker has applied the metadata that says so, it has the topic too.
  if (HasErrorReason(created, ErrorReason::kTopicAlreadyExists)) {
    WaitForMetadata(controller_->image()->version());
    return absl::OkStatus();
  }
  return created;
}

absl::StatusOr<std::shared_ptr<Partition>> BrokerImpl::GetOffsetsPartition(
    int32_t p, bool create) {
  const TopicPartition tp{std::string(util::kOffsetsTopic), PartitionId(p)};
  absl::StatusOr<std::shared_ptr<Partition>> partition = GetPartition(tp);
  if (partition.ok() || !create ||
      !HasErrorReason(partition.status(),
                      ErrorReason::kUnknownTopicOrPartition)) {
    return partition;
  }
  RETURN_IF_ERROR(CreateOffsetsTopic());
  return GetPartition(tp);
}

absl::StatusOr<NodeId> BrokerImpl::FindGroupCoordinator(
    std::string_view group_id) {
  if (!GetTopic(util::kOffsetsTopic).ok()) {
    absl::Status created = CreateOffsetsTopic();
    if (!created.ok()) {
      return MakeError(
          ErrorReason::kCoordinatorNotAvailable,
          absl::StrCat("cannot create ", kOffsets, ": ", created.message()));
    }
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic,
                   GetTopic(util::kOffsetsTopic));
  const int32_t p = GroupCoordinator::PartitionFor(
      group_id, static_cast<int32_t>(topic->state->partitions.size()));
  const replication::PartitionState& state = topic->state->partitions[p];
  if (!state.has_leader()) {
    return MakeError(ErrorReason::kCoordinatorNotAvailable,
                     absl::StrCat(kOffsets, "-", p, " has no leader"));
  }
  return state.leader;
}

void BrokerImpl::FollowOffsetsLeadership(
    const std::shared_ptr<Partition>& partition) {
  // Loading replays the partition, which can take a while: not on the
  // thread applying metadata. Loads and unloads run in order on the timer
  // thread and each looks at the leadership as it is then, so the last one
  // leaves the coordinator matching the partition's final role.
  timers_->ScheduleAfter(0, [this, partition] {
    const int32_t p = partition->tp().partition.value();
    if (partition->is_leader()) {
      absl::Status loaded = coordinator_->LoadPartition(p);
      if (!loaded.ok()) {
        logger_->Log(LogLevel::kWarning,
                     absl::StrCat("broker ", options_.node_id.value(),
                                  ": loading groups of ", kOffsets, "-", p,
                                  ": ", loaded.ToString()));
      }
    } else {
      coordinator_->UnloadPartition(p);
    }
  });
}

}  // namespace rill::broker
