// TopicConfig: a topic's effective configuration — its overrides on top of
// the broker's log.* defaults on top of Kafka's — plus DescribeConfigs and
// IncrementalAlterConfigs over the overrides.
//
// Most names are the log's (LogConfig). A few Kafka topic configs that
// clients set at creation are the broker's own: min.insync.replicas (acks=all
// needs that many in-sync replicas), unclean.leader.election.enable,
// message.downconversion.enable and preallocate (accepted; rill never
// down-converts or preallocates), compression.type (only "producer": rill
// stores batches as producers compressed them).
#ifndef RILL_BROKER_TOPIC_CONFIG_H_
#define RILL_BROKER_TOPIC_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/broker/topic.h"
#include "rill/log/log_config.h"

namespace rill::broker {

// TopicConfig is a topic's effective configuration. Plain value.
struct TopicConfig {
  LogConfig log;
  // min.insync.replicas. Default: 1.
  int32_t min_insync_replicas = 1;
  // unclean.leader.election.enable. Default: false.
  bool unclean_leader_election_enable = false;

  // Resolve validates `overrides` (Kafka names) and applies them over the
  // broker's `log_defaults`; an unknown name or bad value is kInvalidConfig
  // naming it.
  static absl::StatusOr<TopicConfig> Resolve(
      const std::map<std::string, std::string>& overrides,
      const LogConfig& log_defaults);

  // Describe lists every config with its value, source and synonyms (the
  // topic's override, the broker's log.* setting, Kafka's default).
  static std::vector<ConfigEntry> Describe(
      const std::map<std::string, std::string>& overrides,
      const LogConfig& log_defaults);
};

// ApplyConfigChanges returns `overrides` with `changes` applied
// (IncrementalAlterConfigs: set, delete, append to / subtract from a list);
// the result is not validated (Resolve does that).
absl::StatusOr<std::map<std::string, std::string>> ApplyConfigChanges(
    std::map<std::string, std::string> overrides,
    const std::vector<ConfigChange>& changes, const LogConfig& log_defaults);

}  // namespace rill::broker

#endif  // RILL_BROKER_TOPIC_CONFIG_H_
