// BrokerImpl's topic administration: create, delete, grow, describe, alter.
// Every change goes through the controller; the broker serves it once the
// new image is applied here (ApplyImage), before the call returns.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/broker_configs.h"
#include "broker/broker_impl.h"
#include "rill/error.h"
#include "util/status_macros.h"
#include "util/topic_name.h"

namespace rill::broker {
namespace {

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

absl::Status BrokerImpl::CreateTopic(const NewTopic& topic,
                                     bool validate_only) {
  if (util::IsInternalTopic(topic.name)) {
    return MakeError(ErrorReason::kInvalidTopic,
                     absl::StrCat(topic.name, " is an internal topic"));
  }
  absl::MutexLock admin(&admin_mu_);
  return CreateTopicLocked(topic, validate_only);
}

absl::Status BrokerImpl::CreateTopicLocked(const NewTopic& topic,
                                           bool validate_only) {
  if (closed_) return absl::FailedPreconditionError("broker is closed");
  // The controller validates (name, existence, counts, configs). The
  // metadata goes first: logs of no topic are deleted at open, so a crash
  // half-way leaves either a whole topic or none.
  RETURN_IF_ERROR(
      controller_->CreateTopic(topic, {.validate_only = validate_only})
          .status());
  if (!validate_only) WaitForMetadata(controller_->image()->version());
  return absl::OkStatus();
}

absl::Status BrokerImpl::DeleteTopic(std::string_view name) {
  if (util::IsInternalTopic(name)) {
    return MakeError(ErrorReason::kInvalidTopic,
                     absl::StrCat(View(name), " is an internal topic"));
  }
  absl::MutexLock admin(&admin_mu_);
  if (closed_) return absl::FailedPreconditionError("broker is closed");
  RETURN_IF_ERROR(GetTopic(name).status());
  // The metadata goes first (see CreateTopicLocked); a crash after it
  // leaves orphan logs that the next open deletes.
  RETURN_IF_ERROR(controller_->DeleteTopic(name));
  WaitForMetadata(controller_->image()->version());
  return absl::OkStatus();
}

absl::Status BrokerImpl::CreatePartitions(std::string_view name,
                                          int32_t total_count,
                                          bool validate_only) {
  absl::MutexLock admin(&admin_mu_);
  if (closed_) return absl::FailedPreconditionError("broker is closed");
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic, GetTopic(name));
  const int32_t current = static_cast<int32_t>(topic->state->partitions.size());
  if (total_count <= current) {
    return MakeError(
        ErrorReason::kInvalidPartitions,
        absl::StrCat("topic '", View(name), "' has ", current,
                     " partitions; the new count ", total_count,
                     " must be larger (partitions cannot be removed)"));
  }
  if (validate_only) return absl::OkStatus();
  RETURN_IF_ERROR(
      controller_->CreatePartitions(name, {.total_count = total_count}));
  WaitForMetadata(controller_->image()->version());
  return absl::OkStatus();
}

absl::StatusOr<TopicDescription> BrokerImpl::DescribeTopic(
    std::string_view name) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic, GetTopic(name));
  TopicDescription description{.name = topic->state->name,
                               .internal = topic->state->internal,
                               .partitions = {}};
  for (size_t p = 0; p < topic->state->partitions.size(); ++p) {
    const replication::PartitionState& ps = topic->state->partitions[p];
    description.partitions.push_back(
        {.partition = PartitionId(static_cast<int32_t>(p)),
         .leader = ps.leader,
         .leader_epoch = ps.leader_epoch,
         .replicas = ps.replicas,
         .isr = ps.isr});
  }
  return description;
}

std::vector<std::string> BrokerImpl::ListTopics(bool include_internal) {
  std::vector<std::string> names;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_) {
      if (include_internal || !util::IsInternalTopic(name))
        names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::vector<ConfigEntry>> BrokerImpl::DescribeTopicConfigs(
    std::string_view name) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic, GetTopic(name));
  return TopicConfig::Describe(topic->state->configs, options_.log_defaults);
}

absl::Status BrokerImpl::AlterTopicConfigs(
    std::string_view name, const std::vector<ConfigChange>& changes,
    bool validate_only) {
  absl::MutexLock admin(&admin_mu_);
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic, GetTopic(name));
  ASSIGN_OR_RETURN(auto overrides,
                   ApplyConfigChanges(topic->state->configs, changes,
                                      options_.log_defaults));
  return UpdateTopicConfigsLocked(name, std::move(overrides), validate_only);
}

absl::Status BrokerImpl::ReplaceTopicConfigs(
    std::string_view name, const std::map<std::string, std::string>& configs,
    bool validate_only) {
  absl::MutexLock admin(&admin_mu_);
  return UpdateTopicConfigsLocked(name, configs, validate_only);
}

std::vector<ConfigEntry> BrokerImpl::DescribeBrokerConfigs() {
  return broker::DescribeBrokerConfigs(options_);
}

absl::Status BrokerImpl::UpdateTopicConfigsLocked(
    std::string_view name, std::map<std::string, std::string> overrides,
    bool validate_only) {
  if (closed_) return absl::FailedPreconditionError("broker is closed");
  RETURN_IF_ERROR(GetTopic(name).status());
  RETURN_IF_ERROR(ResolveTopicConfig(overrides).status());
  if (validate_only) return absl::OkStatus();
  RETURN_IF_ERROR(controller_->SetTopicConfigs(name, std::move(overrides)));
  WaitForMetadata(controller_->image()->version());
  return absl::OkStatus();
}

}  // namespace rill::broker
