// rill/broker/topic.h — the nouns of topic administration.
//
//   broker->CreateTopic({.name = "orders", .num_partitions = 6,
//                        .configs = {{"cleanup.policy", "compact"}}});
//   broker->AlterTopicConfigs("orders", {{.name = "retention.ms",
//                                         .value = "3600000"}});
#ifndef RILL_BROKER_TOPIC_H_
#define RILL_BROKER_TOPIC_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rill/types.h"

namespace rill {

// NewTopic describes a topic to create.
struct NewTopic {
  // [a-zA-Z0-9._-]{1,249}, not "." or "..". Required.
  std::string name = {};
  // -1: the broker's num.partitions. Default: -1.
  int32_t num_partitions = -1;
  // -1: the broker's default.replication.factor. Must not exceed the
  // number of brokers. Default: -1.
  int16_t replication_factor = -1;
  // Topic configs under Kafka's names (cleanup.policy, retention.ms, ...);
  // unset ones follow the broker's defaults.
  std::map<std::string, std::string> configs = {};
};

// PartitionDescription is one partition's placement.
struct PartitionDescription {
  PartitionId partition;
  NodeId leader = NodeId(-1);
  LeaderEpoch leader_epoch = LeaderEpoch(0);
  std::vector<NodeId> replicas;
  std::vector<NodeId> isr;
};

// TopicDescription answers DescribeTopic and Metadata.
struct TopicDescription {
  std::string name;
  // Internal topics (__consumer_offsets) are hidden from listings unless
  // asked for.
  bool internal = false;
  std::vector<PartitionDescription> partitions;
};

// ConfigSource says where a config's value comes from (Kafka's
// DescribeConfigs sources).
enum class ConfigSource {
  kTopic,          // set on the topic (DYNAMIC_TOPIC_CONFIG)
  kBrokerDefault,  // set in the broker's options: a log.* default or
                   // another broker config (STATIC_BROKER_CONFIG)
  kDefault,        // Kafka's built-in default (DEFAULT_CONFIG)
};

// ConfigSynonym is one place a config's value can come from, under the
// name it has there: the topic's own "retention.ms", the broker's
// "log.retention.ms", Kafka's default.
struct ConfigSynonym {
  std::string name;
  std::string value;
  ConfigSource source = ConfigSource::kDefault;
};

// ConfigEntry is one config of a topic, or of the broker, as
// DescribeConfigs reports it.
struct ConfigEntry {
  std::string name;
  std::string value;
  ConfigSource source = ConfigSource::kDefault;
  bool read_only = false;
  bool sensitive = false;
  // Every place the value could come from, highest precedence first; the
  // first one is where `value` comes from.
  std::vector<ConfigSynonym> synonyms = {};
};

// ConfigOp is how IncrementalAlterConfigs changes one config.
enum class ConfigOp {
  kSet,       // set to `value`
  kDelete,    // back to the default
  kAppend,    // add `value` to a list config (cleanup.policy)
  kSubtract,  // remove `value` from a list config
};

// ConfigChange is one change of an AlterTopicConfigs call.
struct ConfigChange {
  std::string name = {};
  ConfigOp op = ConfigOp::kSet;
  std::string value = {};
};

}  // namespace rill

#endif  // RILL_BROKER_TOPIC_H_
