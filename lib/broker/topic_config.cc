#include "broker/topic_config.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "broker/broker_configs.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::broker {
namespace {

// The broker's own topic configs (not the log's), with their defaults.
const std::map<std::string, std::string>& BrokerTopicDefaults() {
  static const auto* defaults = new std::map<std::string, std::string>{
      {"min.insync.replicas", "1"},
      {"unclean.leader.election.enable", "false"},
      {"message.downconversion.enable", "true"},
      {"preallocate", "false"},
      {"compression.type", "producer"},
  };
  return *defaults;
}

// List-valued configs, for append and subtract.
bool IsListConfig(const std::string& name) { return name == "cleanup.policy"; }

absl::Status InvalidConfig(const std::string& name, const std::string& value,
                           std::string_view why) {
  return MakeError(ErrorReason::kInvalidConfig,
                   absl::StrCat("invalid value '", value, "' for ", name, ": ",
                                absl::string_view(why.data(), why.size())));
}

absl::Status ParseBool(const std::string& name, const std::string& value,
                       bool* out) {
  if (value == "true") {
    *out = true;
  } else if (value == "false") {
    *out = false;
  } else {
    return InvalidConfig(name, value, "expected true or false");
  }
  return absl::OkStatus();
}

absl::Status ApplyBrokerConfig(const std::string& name,
                               const std::string& value, TopicConfig* config) {
  if (name == "min.insync.replicas") {
    if (!absl::SimpleAtoi(value, &config->min_insync_replicas) ||
        config->min_insync_replicas < 1) {
      return InvalidConfig(name, value, "must be an integer >= 1");
    }
    return absl::OkStatus();
  }
  if (name == "unclean.leader.election.enable") {
    return ParseBool(name, value, &config->unclean_leader_election_enable);
  }
  if (name == "compression.type") {
    if (value != "producer") {
      return InvalidConfig(name, value,
                           "rill keeps the producer's compression; only "
                           "'producer' is supported");
    }
    return absl::OkStatus();
  }
  bool ignored;  // accepted, with no effect in rill
  return ParseBool(name, value, &ignored);
}

}  // namespace

absl::StatusOr<TopicConfig> TopicConfig::Resolve(
    const std::map<std::string, std::string>& overrides,
    const LogConfig& log_defaults) {
  TopicConfig config;
  std::map<std::string, std::string> log_overrides;
  for (const auto& [name, value] : overrides) {
    if (BrokerTopicDefaults().contains(name)) {
      RETURN_IF_ERROR(ApplyBrokerConfig(name, value, &config));
    } else {
      log_overrides.emplace(name, value);
    }
  }
  absl::StatusOr<LogConfig> log =
      LogConfig::FromProperties(log_overrides, log_defaults);
  if (log.ok()) {
    absl::Status valid = log->Validate();
    if (!valid.ok()) log = valid;
  }
  if (!log.ok()) {
    return MakeError(ErrorReason::kInvalidConfig,
                     std::string(log.status().message()));
  }
  config.log = *std::move(log);
  return config;
}

std::vector<ConfigEntry> TopicConfig::Describe(
    const std::map<std::string, std::string>& overrides,
    const LogConfig& log_defaults) {
  // Each config's synonyms by precedence: the topic's override, the
  // broker's setting where it differs from Kafka's, Kafka's default.
  std::map<std::string, ConfigEntry> entries;
  auto add_default = [&](const std::string& name, const std::string& value) {
    ConfigEntry& entry = entries[name];
    entry.name = name;
    entry.synonyms.push_back({.name = std::string(BrokerConfigName(name)),
                              .value = value,
                              .source = ConfigSource::kDefault});
  };
  const auto kafka_defaults = LogConfig{}.ToProperties();
  for (const auto& [name, value] : kafka_defaults) add_default(name, value);
  for (const auto& [name, value] : BrokerTopicDefaults()) {
    add_default(name, value);
  }
  for (const auto& [name, value] : log_defaults.ToProperties()) {
    if (kafka_defaults.at(name) == value) continue;
    auto& synonyms = entries[name].synonyms;
    synonyms.insert(synonyms.begin(),
                    {.name = std::string(BrokerConfigName(name)),
                     .value = value,
                     .source = ConfigSource::kBrokerDefault});
  }
  for (const auto& [name, value] : overrides) {
    ConfigEntry& entry = entries[name];
    entry.name = name;
    entry.synonyms.insert(
        entry.synonyms.begin(),
        {.name = name, .value = value, .source = ConfigSource::kTopic});
  }
  std::vector<ConfigEntry> out;
  for (auto& [name, entry] : entries) {
    entry.value = entry.synonyms.front().value;
    entry.source = entry.synonyms.front().source;
    out.push_back(std::move(entry));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> ApplyConfigChanges(
    std::map<std::string, std::string> overrides,
    const std::vector<ConfigChange>& changes, const LogConfig& log_defaults) {
  for (const ConfigChange& change : changes) {
    switch (change.op) {
      case ConfigOp::kSet:
        overrides[change.name] = change.value;
        break;
      case ConfigOp::kDelete:
        overrides.erase(change.name);
        break;
      case ConfigOp::kAppend:
      case ConfigOp::kSubtract: {
        if (!IsListConfig(change.name)) {
          return MakeError(ErrorReason::kInvalidConfig,
                           absl::StrCat(change.name, " is not a list config"));
        }
        auto it = overrides.find(change.name);
        const std::string current =
            it != overrides.end() ? it->second
                                  : log_defaults.ToProperties().at(change.name);
        std::vector<std::string> items =
            absl::StrSplit(current, ',', absl::SkipEmpty());
        for (absl::string_view item :
             absl::StrSplit(change.value, ',', absl::SkipEmpty())) {
          auto found = std::find(items.begin(), items.end(), item);
          if (change.op == ConfigOp::kAppend && found == items.end()) {
            items.emplace_back(item);
          } else if (change.op == ConfigOp::kSubtract && found != items.end()) {
            items.erase(found);
          }
        }
        overrides[change.name] = absl::StrJoin(items, ",");
        break;
      }
    }
  }
  return overrides;
}

}  // namespace rill::broker
