// The topic configs the controller itself acts on, under Kafka's names.
// The broker validates the rest (log configs) through
// ControllerOptions::validate_topic_configs.
#ifndef RILL_REPLICATION_TOPIC_CONFIGS_H_
#define RILL_REPLICATION_TOPIC_CONFIGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "rill/replication/cluster_metadata.h"

namespace rill::replication::internal {

inline constexpr std::string_view kMinInsyncReplicas = "min.insync.replicas";
inline constexpr std::string_view kUncleanLeaderElectionEnable =
    "unclean.leader.election.enable";

// ValidateTopicConfigs checks the values of the configs above, when set:
// min.insync.replicas an integer >= 1, unclean.leader.election.enable true
// or false; otherwise kInvalidConfig naming the config.
absl::Status ValidateTopicConfigs(
    const std::map<std::string, std::string>& configs);

// MinInsyncReplicas is the topic's min.insync.replicas, or `fallback`.
int32_t MinInsyncReplicas(const TopicState& topic, int32_t fallback);

// UncleanElectionEnabled is the topic's unclean.leader.election.enable, or
// `fallback`.
bool UncleanElectionEnabled(const TopicState& topic, bool fallback);

}  // namespace rill::replication::internal

#endif  // RILL_REPLICATION_TOPIC_CONFIGS_H_
