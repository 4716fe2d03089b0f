#include "broker/broker_configs.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/topic_config.h"

namespace rill::broker {
namespace {

// Each topic config and the broker config it defaults to (Kafka's
// LogConfig synonyms; the ms form where Kafka also has hours and minutes).
constexpr std::pair<std::string_view, std::string_view> kBrokerNames[] = {
    {"cleanup.policy", "log.cleanup.policy"},
    {"compression.type", "compression.type"},
    {"delete.retention.ms", "log.cleaner.delete.retention.ms"},
    {"flush.messages", "log.flush.interval.messages"},
    {"flush.ms", "log.flush.interval.ms"},
    {"index.interval.bytes", "log.index.interval.bytes"},
    {"max.message.bytes", "message.max.bytes"},
    {"message.downconversion.enable", "log.message.downconversion.enable"},
    {"message.timestamp.type", "log.message.timestamp.type"},
    {"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio"},
    {"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms"},
    {"min.insync.replicas", "min.insync.replicas"},
    {"preallocate", "log.preallocate"},
    {"retention.bytes", "log.retention.bytes"},
    {"retention.ms", "log.retention.ms"},
    {"segment.bytes", "log.segment.bytes"},
    {"segment.index.bytes", "log.index.size.max.bytes"},
    {"segment.ms", "log.roll.ms"},
    {"unclean.leader.election.enable", "unclean.leader.election.enable"},
};

// BrokerOnly is a broker config with no topic counterpart: its value in
// some options.
struct BrokerOnly {
  std::string_view name;
  std::string (*value)(const BrokerOptions&);
};

constexpr BrokerOnly kBrokerOnly[] = {
    {"auto.create.topics.enable",
     [](const BrokerOptions& o) -> std::string {
       return o.auto_create_topics_enable ? "true" : "false";
     }},
    {"broker.id",
     [](const BrokerOptions& o) { return absl::StrCat(o.node_id.value()); }},
    {"default.replication.factor",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.default_replication_factor);
     }},
    {"group.initial.rebalance.delay.ms",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.group.group_initial_rebalance_delay_ms);
     }},
    {"group.max.session.timeout.ms",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.group.group_max_session_timeout_ms);
     }},
    {"group.max.size",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.group.group_max_size);
     }},
    {"group.min.session.timeout.ms",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.group.group_min_session_timeout_ms);
     }},
    {"log.retention.check.interval.ms",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.maintenance_interval_ms);
     }},
    {"num.partitions",
     [](const BrokerOptions& o) { return absl::StrCat(o.num_partitions); }},
    {"offset.metadata.max.bytes",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.group.offset_metadata_max_bytes);
     }},
    {"offsets.retention.check.interval.ms",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.group.offsets_retention_check_interval_ms);
     }},
    {"offsets.retention.minutes",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.group.offsets_retention_ms / 60'000);
     }},
    {"offsets.topic.num.partitions",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.offsets_topic_num_partitions);
     }},
    {"offsets.topic.segment.bytes",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.offsets_topic_segment_bytes);
     }},
    {"producer.id.expiration.ms",
     [](const BrokerOptions& o) {
       return absl::StrCat(o.producer_id_expiration_ms);
     }},
};

ConfigEntry BrokerEntry(std::string name, std::string value,
                        std::string default_value) {
  ConfigEntry entry{.name = name,
                    .value = value,
                    .source = ConfigSource::kDefault,
                    .read_only = true,
                    .sensitive = false,
                    .synonyms = {}};
  if (value != default_value) {
    entry.source = ConfigSource::kBrokerDefault;
    entry.synonyms.push_back({.name = name,
                              .value = std::move(value),
                              .source = ConfigSource::kBrokerDefault});
  }
  entry.synonyms.push_back({.name = std::move(name),
                            .value = std::move(default_value),
                            .source = ConfigSource::kDefault});
  return entry;
}

}  // namespace

std::string_view BrokerConfigName(std::string_view topic_config) {
  for (const auto& [topic, broker] : kBrokerNames) {
    if (topic == topic_config) return broker;
  }
  return {};
}

std::vector<ConfigEntry> DescribeBrokerConfigs(const BrokerOptions& options) {
  const BrokerOptions defaults;
  std::vector<ConfigEntry> entries;
  // The topic configs' defaults, as the broker sets them.
  const std::vector<ConfigEntry> configured =
      TopicConfig::Describe({}, options.log_defaults);
  const std::vector<ConfigEntry> builtin =
      TopicConfig::Describe({}, defaults.log_defaults);
  for (const ConfigEntry& topic_entry : configured) {
    const std::string_view name = BrokerConfigName(topic_entry.name);
    if (name.empty()) continue;
    auto default_entry = std::find_if(
        builtin.begin(), builtin.end(),
        [&](const ConfigEntry& e) { return e.name == topic_entry.name; });
    entries.push_back(BrokerEntry(
        std::string(name), topic_entry.value,
        default_entry != builtin.end() ? default_entry->value : ""));
  }
  for (const BrokerOnly& config : kBrokerOnly) {
    entries.push_back(BrokerEntry(std::string(config.name),
                                  config.value(options),
                                  config.value(defaults)));
  }
  if (!options.data_dir.empty()) {
    entries.push_back({.name = "log.dirs",
                       .value = options.data_dir,
                       .source = ConfigSource::kBrokerDefault,
                       .read_only = true,
                       .sensitive = false,
                       .synonyms = {{.name = "log.dirs",
                                     .value = options.data_dir,
                                     .source = ConfigSource::kBrokerDefault}}});
  }
  std::sort(entries.begin(), entries.end(),
            [](const ConfigEntry& a, const ConfigEntry& b) {
              return a.name < b.name;
            });
  return entries;
}

}  // namespace rill::broker
