// BrokerImpl's topic administration: create, delete, grow, describe, alter.
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
  return CreateTopicLocked(topic, /*internal=*/false, validate_only);
}

absl::Status BrokerImpl::CreateTopicLocked(const NewTopic& topic, bool internal,
                                           bool validate_only) {
  if (closed_) return absl::FailedPreconditionError("broker is closed");
  RETURN_IF_ERROR(util::ValidateTopicName(topic.name));
  if (GetTopic(topic.name).ok()) {
    return MakeError(ErrorReason::kTopicAlreadyExists,
                     absl::StrCat("topic '", topic.name, "' already exists"));
  }
  const int32_t partitions = topic.num_partitions == -1
                                 ? options_.num_partitions
                                 : topic.num_partitions;
  if (partitions < 1) {
    return MakeError(ErrorReason::kInvalidPartitions,
                     absl::StrCat("number of partitions must be >= 1, not ",
                                  topic.num_partitions));
  }
  const int16_t replication = topic.replication_factor == -1
                                  ? options_.default_replication_factor
                                  : topic.replication_factor;
  // One broker: replication comes with the replication layer.
  constexpr int16_t kBrokers = 1;
  if (replication < 1 || replication > kBrokers) {
    return MakeError(
        ErrorReason::kInvalidReplicationFactor,
        absl::StrCat("replication factor ", replication, " is not in [1, ",
                     kBrokers, "] (the number of brokers)"));
  }
  ASSIGN_OR_RETURN(TopicConfig config,
                   TopicConfig::Resolve(topic.configs, options_.log_defaults));
  if (validate_only) return absl::OkStatus();

  TopicRecord record{.name = topic.name,
                     .num_partitions = partitions,
                     .replication_factor = replication,
                     .configs = topic.configs};
  // The record first: logs without one are deleted at open, so a crash
  // half-way leaves either a whole topic or none.
  RETURN_IF_ERROR(topic_store_->Save(record));
  absl::StatusOr<std::vector<std::shared_ptr<Partition>>> opened =
      OpenPartitions(topic.name, 0, partitions, config.log);
  if (!opened.ok()) {
    (void)topic_store_->Remove(topic.name);
    for (int32_t p = 0; p < partitions; ++p) {
      (void)logs_->DeleteLog({topic.name, PartitionId(p)});
    }
    return opened.status();
  }
  (void)internal;  // internal topics are recognized by name
  Publish(
      std::make_shared<const Topic>(Topic{.record = std::move(record),
                                          .config = std::move(config),
                                          .partitions = *std::move(opened)}));
  return absl::OkStatus();
}

absl::Status BrokerImpl::DeleteTopic(std::string_view name) {
  if (util::IsInternalTopic(name)) {
    return MakeError(ErrorReason::kInvalidTopic,
                     absl::StrCat(View(name), " is an internal topic"));
  }
  absl::MutexLock admin(&admin_mu_);
  if (closed_) return absl::FailedPreconditionError("broker is closed");
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic, GetTopic(name));
  // The record goes first (see CreateTopicLocked); a crash after it leaves
  // orphan logs that the next open deletes.
  RETURN_IF_ERROR(topic_store_->Remove(name));
  {
    absl::MutexLock lock(&mu_);
    topics_.erase(View(name));
  }
  absl::Status status;
  for (const auto& partition : topic->partitions) {
    // Close first: in-flight produces and fetches holding the partition
    // get an error instead of touching a deleted log.
    status.Update(partition->Close());
    status.Update(logs_->DeleteLog(partition->tp()));
  }
  return status;
}

absl::Status BrokerImpl::CreatePartitions(std::string_view name,
                                          int32_t total_count,
                                          bool validate_only) {
  absl::MutexLock admin(&admin_mu_);
  if (closed_) return absl::FailedPreconditionError("broker is closed");
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic, GetTopic(name));
  const int32_t current = topic->record.num_partitions;
  if (total_count <= current) {
    return MakeError(
        ErrorReason::kInvalidPartitions,
        absl::StrCat("topic '", View(name), "' has ", current,
                     " partitions; the new count ", total_count,
                     " must be larger (partitions cannot be removed)"));
  }
  if (validate_only) return absl::OkStatus();
  Topic grown = *topic;
  grown.record.num_partitions = total_count;
  RETURN_IF_ERROR(topic_store_->Save(grown.record));
  ASSIGN_OR_RETURN(auto added, OpenPartitions(grown.record.name, current,
                                              total_count, grown.config.log));
  for (auto& partition : added)
    grown.partitions.push_back(std::move(partition));
  Publish(std::make_shared<const Topic>(std::move(grown)));
  return absl::OkStatus();
}

absl::StatusOr<TopicDescription> BrokerImpl::DescribeTopic(
    std::string_view name) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic, GetTopic(name));
  TopicDescription description{.name = topic->record.name,
                               .internal = util::IsInternalTopic(name),
                               .partitions = {}};
  for (int32_t p = 0; p < topic->record.num_partitions; ++p) {
    description.partitions.push_back({.partition = PartitionId(p),
                                      .leader = options_.node_id,
                                      .leader_epoch = LeaderEpoch(0),
                                      .replicas = {options_.node_id},
                                      .isr = {options_.node_id}});
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
  return TopicConfig::Describe(topic->record.configs, options_.log_defaults);
}

absl::Status BrokerImpl::AlterTopicConfigs(
    std::string_view name, const std::vector<ConfigChange>& changes,
    bool validate_only) {
  absl::MutexLock admin(&admin_mu_);
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic, GetTopic(name));
  ASSIGN_OR_RETURN(auto overrides,
                   ApplyConfigChanges(topic->record.configs, changes,
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
  ASSIGN_OR_RETURN(std::shared_ptr<const Topic> topic, GetTopic(name));
  ASSIGN_OR_RETURN(TopicConfig config,
                   TopicConfig::Resolve(overrides, options_.log_defaults));
  if (validate_only) return absl::OkStatus();
  Topic updated = *topic;
  updated.record.configs = std::move(overrides);
  updated.config = config;
  RETURN_IF_ERROR(topic_store_->Save(updated.record));
  for (const auto& partition : updated.partitions) {
    RETURN_IF_ERROR(partition->UpdateConfig(config.log));
  }
  Publish(std::make_shared<const Topic>(std::move(updated)));
  return absl::OkStatus();
}

}  // namespace rill::broker
