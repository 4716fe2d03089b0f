// The controller's topic administration: CreateTopics, DeleteTopics,
// CreatePartitions and topic config changes, with Kafka's checks.
#include <utility>

#include "absl/strings/str_cat.h"
#include "replication/controller_impl.h"
#include "replication/replica_assignment.h"
#include "replication/topic_configs.h"
#include "rill/error.h"
#include "util/status_macros.h"
#include "util/topic_name.h"

namespace rill::replication::internal {
namespace {

absl::Status UnknownTopic(std::string_view name) {
  return MakeError(
      ErrorReason::kUnknownTopicOrPartition,
      absl::StrCat("topic '", absl::string_view(name.data(), name.size()),
                   "' does not exist"));
}

std::vector<PartitionState> InitialStates(
    std::vector<std::vector<NodeId>> assignment, const ClusterImage& image) {
  std::vector<PartitionState> states;
  states.reserve(assignment.size());
  for (auto& replicas : assignment) {
    states.push_back(InitialState(std::move(replicas), image));
  }
  return states;
}

}  // namespace

absl::Status ControllerImpl::ValidateConfigs(
    const std::map<std::string, std::string>& configs) const {
  RETURN_IF_ERROR(ValidateTopicConfigs(configs));
  if (options_.validate_topic_configs) {
    RETURN_IF_ERROR(options_.validate_topic_configs(configs));
  }
  return absl::OkStatus();
}

std::pair<int32_t, int32_t> ControllerImpl::DrawPlacementStart() {
  absl::MutexLock lock(&mu_);
  const auto start = static_cast<int32_t>(placement_rng_() & 0x7fffffff);
  const auto shift = static_cast<int32_t>(placement_rng_() & 0x7fffffff);
  return {start, shift};
}

absl::StatusOr<std::vector<std::vector<NodeId>>> ControllerImpl::Place(
    const ClusterImage& image, int32_t first_partition, int32_t num_partitions,
    int32_t replication_factor, std::pair<int32_t, int32_t> start) const {
  const std::vector<NodeId> brokers = image.LiveBrokers();
  const auto n = static_cast<int32_t>(brokers.size());
  if (replication_factor > n) {
    return MakeError(
        ErrorReason::kInvalidReplicationFactor,
        absl::StrCat("replication factor ", replication_factor,
                     " is larger than the ", n, " live broker(s)"));
  }
  return AssignReplicas(brokers, first_partition, num_partitions,
                        replication_factor, start.first % n, start.second % n);
}

absl::StatusOr<TopicState> ControllerImpl::CreateTopic(
    const NewTopic& topic, const CreateTopicOptions& options) {
  const bool manual = !options.replica_assignment.empty();
  const int32_t num_partitions = topic.num_partitions == -1
                                     ? options_.num_partitions
                                     : topic.num_partitions;
  const int32_t replication_factor = topic.replication_factor == -1
                                         ? options_.default_replication_factor
                                         : topic.replication_factor;
  const std::pair<int32_t, int32_t> start = DrawPlacementStart();
  const Uuid id = Uuid::Random();
  TopicState created;
  auto plan = [&](ChangeBuilder& changes) -> absl::Status {
    const ClusterImage& image = changes.image();
    RETURN_IF_ERROR(util::ValidateTopicName(topic.name));
    if (image.FindTopic(topic.name) != nullptr) {
      return MakeError(ErrorReason::kTopicAlreadyExists,
                       absl::StrCat("topic '", topic.name, "' already exists"));
    }
    if (manual &&
        (topic.num_partitions != -1 || topic.replication_factor != -1)) {
      return MakeError(ErrorReason::kInvalidRequest,
                       "a replica assignment leaves num_partitions and "
                       "replication_factor at -1");
    }
    if (!manual && num_partitions < 1) {
      return MakeError(ErrorReason::kInvalidPartitions,
                       absl::StrCat("number of partitions ", num_partitions,
                                    " is not positive"));
    }
    if (!manual && replication_factor < 1) {
      return MakeError(ErrorReason::kInvalidReplicationFactor,
                       absl::StrCat("replication factor ", replication_factor,
                                    " is not positive"));
    }
    RETURN_IF_ERROR(ValidateConfigs(topic.configs));
    std::vector<std::vector<NodeId>> assignment;
    if (manual) {
      RETURN_IF_ERROR(ValidateAssignment(options.replica_assignment,
                                         /*replication_factor=*/-1, image));
      assignment = options.replica_assignment;
    } else {
      ASSIGN_OR_RETURN(assignment, Place(image, 0, num_partitions,
                                         replication_factor, start));
    }
    created =
        TopicState{.name = topic.name,
                   .id = id,
                   .internal = util::IsInternalTopic(topic.name),
                   .configs = topic.configs,
                   .partitions = InitialStates(std::move(assignment), image)};
    return changes.Add(CreateTopicRecord{.topic = created});
  };
  if (options.validate_only) {
    ChangeBuilder changes(store_->image());
    RETURN_IF_ERROR(plan(changes));
  } else {
    RETURN_IF_ERROR(Write(plan));
  }
  return created;
}

absl::Status ControllerImpl::DeleteTopic(std::string_view name) {
  if (util::IsInternalTopic(name)) {
    return MakeError(ErrorReason::kInvalidTopic,
                     absl::StrCat(absl::string_view(name.data(), name.size()),
                                  " is an internal topic"));
  }
  return Write([&](ChangeBuilder& changes) -> absl::Status {
    const TopicState* topic = changes.image().FindTopic(name);
    if (topic == nullptr) return UnknownTopic(name);
    return changes.Add(DeleteTopicRecord{.topic_id = topic->id});
  });
}

absl::Status ControllerImpl::CreatePartitions(std::string_view name,
                                              const NewPartitions& request) {
  const std::pair<int32_t, int32_t> start = DrawPlacementStart();
  return Write([&](ChangeBuilder& changes) -> absl::Status {
    const ClusterImage& image = changes.image();
    const TopicState* topic = image.FindTopic(name);
    if (topic == nullptr) return UnknownTopic(name);
    const auto current = static_cast<int32_t>(topic->partitions.size());
    if (request.total_count <= current) {
      return MakeError(
          ErrorReason::kInvalidPartitions,
          absl::StrCat("topic '", topic->name, "' has ", current,
                       " partitions; asked for ", request.total_count));
    }
    const int32_t added = request.total_count - current;
    const auto replication_factor =
        static_cast<int32_t>(topic->partitions.front().replicas.size());
    std::vector<std::vector<NodeId>> assignment;
    if (!request.replica_assignment.empty()) {
      if (static_cast<int32_t>(request.replica_assignment.size()) != added) {
        return MakeError(
            ErrorReason::kInvalidReplicaAssignment,
            absl::StrCat("adding ", added, " partition(s) with ",
                         request.replica_assignment.size(), " assignment(s)"));
      }
      RETURN_IF_ERROR(ValidateAssignment(request.replica_assignment,
                                         replication_factor, image));
      assignment = request.replica_assignment;
    } else {
      ASSIGN_OR_RETURN(assignment,
                       Place(image, current, added, replication_factor, start));
    }
    return changes.Add(AddPartitionsRecord{
        .topic_id = topic->id,
        .partitions = InitialStates(std::move(assignment), image)});
  });
}

absl::Status ControllerImpl::SetTopicConfigs(
    std::string_view name, std::map<std::string, std::string> configs) {
  RETURN_IF_ERROR(ValidateConfigs(configs));
  return Write([&](ChangeBuilder& changes) -> absl::Status {
    const TopicState* topic = changes.image().FindTopic(name);
    if (topic == nullptr) return UnknownTopic(name);
    if (topic->configs == configs) return absl::OkStatus();
    RETURN_IF_ERROR(changes.Add(
        ChangeTopicConfigRecord{.topic_id = topic->id, .configs = configs}));
    // Allowing unclean election takes effect at once for offline
    // partitions, as in Kafka.
    return ReelectAll(changes, std::nullopt);
  });
}

}  // namespace rill::replication::internal
