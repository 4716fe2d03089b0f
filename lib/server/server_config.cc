#include "rill/server/server_config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/ignored_kafka_configs.h"
#include "util/properties.h"
#include "util/status_macros.h"

namespace rill {
namespace {

using Properties = std::map<std::string, std::string>;

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Take removes `name` from `properties` and returns its value, if given.
std::optional<std::string> Take(Properties& properties, std::string_view name) {
  auto it = properties.find(std::string(name));
  if (it == properties.end()) return std::nullopt;
  std::string value = std::move(it->second);
  properties.erase(it);
  return value;
}

// SplitList splits a comma-separated value, trimming entries and dropping
// empty ones (Kafka's list parsing).
std::vector<std::string> SplitList(std::string_view value) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(AbslView(value), ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

// --- Identity and storage ---------------------------------------------------

absl::Status ApplyNodeId(Properties& properties, ServerConfig& config) {
  std::optional<std::string> broker_id = Take(properties, "broker.id");
  std::optional<std::string> node_id = Take(properties, "node.id");
  int32_t id = config.broker.node_id.value();
  if (broker_id) {
    RETURN_IF_ERROR(util::ParseIntProperty("broker.id", *broker_id, 0, &id));
  }
  if (node_id) {
    int32_t from_node_id = 0;
    RETURN_IF_ERROR(
        util::ParseIntProperty("node.id", *node_id, 0, &from_node_id));
    if (broker_id && from_node_id != id) {
      return absl::InvalidArgumentError(
          absl::StrCat("broker.id=", *broker_id, " and node.id=", *node_id,
                       " disagree; set one of them"));
    }
    id = from_node_id;
  }
  config.broker.node_id = NodeId(id);
  return absl::OkStatus();
}

// log.dirs wins over log.dir, as in Kafka. rill keeps a broker's data in
// one directory.
absl::Status ApplyLogDirs(Properties& properties, ServerConfig& config) {
  std::optional<std::string> dirs = Take(properties, "log.dirs");
  std::optional<std::string> dir = Take(properties, "log.dir");
  const char* name = dirs ? "log.dirs" : "log.dir";
  const std::optional<std::string>& value = dirs ? dirs : dir;
  if (!value) return absl::OkStatus();
  std::vector<std::string> list = SplitList(*value);
  if (list.empty()) {
    return util::InvalidProperty(name, *value, "expected a directory");
  }
  if (list.size() > 1) {
    return util::InvalidProperty(
        name, *value,
        absl::StrCat("rill keeps a broker's data in one directory; ",
                     list.size(), " are listed"));
  }
  config.broker.data_dir = std::move(list.front());
  return absl::OkStatus();
}

// --- Listeners
// ----------------------------------------------------------------

// ListenerName is the upper-cased NAME of "NAME://...", or "" for a bare
// host:port.
std::string ListenerName(std::string_view spec) {
  const size_t scheme = spec.find("://");
  if (scheme == std::string_view::npos) return "";
  return absl::AsciiStrToUpper(AbslView(spec.substr(0, scheme)));
}

// ParseListeners reads a listeners or advertised.listeners value into
// normalized specs, dropping (into `ignored`) those named in
// controller.listener.names.
absl::StatusOr<std::vector<std::string>> ParseListeners(
    std::string_view name, const std::string& value,
    const std::vector<std::string>& controller_names,
    std::vector<std::string>& ignored) {
  std::vector<std::string> specs;
  for (const std::string& spec : SplitList(value)) {
    const std::string listener = ListenerName(spec);
    if (!listener.empty() &&
        std::find(controller_names.begin(), controller_names.end(), listener) !=
            controller_names.end()) {
      ignored.push_back(absl::StrCat(AbslView(name), ": ", spec));
      continue;
    }
    absl::StatusOr<Endpoint> endpoint = Endpoint::Parse(spec);
    if (!endpoint.ok()) return util::Annotate(endpoint.status(), name);
    specs.push_back(endpoint->ToString());
  }
  if (specs.empty()) {
    return util::InvalidProperty(name, value, "expected at least one listener");
  }
  return specs;
}

absl::Status ApplyListeners(Properties& properties, ServerConfig& config) {
  std::vector<std::string> controller_names;
  if (auto names = Take(properties, "controller.listener.names")) {
    for (const std::string& n : SplitList(*names)) {
      controller_names.push_back(absl::AsciiStrToUpper(n));
    }
    config.ignored.push_back("controller.listener.names");
  }
  if (auto value = Take(properties, "listeners")) {
    ASSIGN_OR_RETURN(
        config.server.listeners,
        ParseListeners("listeners", *value, controller_names, config.ignored));
  }
  if (auto value = Take(properties, "advertised.listeners")) {
    ASSIGN_OR_RETURN(std::vector<std::string> advertised,
                     ParseListeners("advertised.listeners", *value,
                                    controller_names, config.ignored));
    for (const std::string& spec : advertised) {
      ASSIGN_OR_RETURN(Endpoint endpoint, Endpoint::Parse(spec));
      if (endpoint.host.empty() || endpoint.port == 0) {
        return util::InvalidProperty(
            "advertised.listeners", *value,
            absl::StrCat(spec, " needs the host and port clients connect to"));
      }
    }
    config.server.advertised_listeners = std::move(advertised);
  }
  return absl::OkStatus();
}

// --- Log defaults
// -------------------------------------------------------------

// A duration in ms from Kafka's ms / minutes / hours triple: the most precise
// one given wins; -1 (forever) stays -1.
absl::Status ApplyDuration(Properties& properties, const std::string& ms_name,
                           const std::string& minutes_name,
                           const std::string& hours_name, int64_t min,
                           int64_t* out_ms) {
  std::optional<std::string> ms = Take(properties, ms_name);
  std::optional<std::string> minutes =
      minutes_name.empty() ? std::nullopt : Take(properties, minutes_name);
  std::optional<std::string> hours = Take(properties, hours_name);
  int64_t from_ms = 0;
  int32_t from_minutes = 0, from_hours = 0;
  if (ms) RETURN_IF_ERROR(util::ParseIntProperty(ms_name, *ms, min, &from_ms));
  if (minutes) {
    RETURN_IF_ERROR(
        util::ParseIntProperty(minutes_name, *minutes, min, &from_minutes));
  }
  if (hours) {
    RETURN_IF_ERROR(
        util::ParseIntProperty(hours_name, *hours, min, &from_hours));
  }
  auto scaled = [](int64_t n, int64_t unit_ms) {
    return n < 0 ? n : n * unit_ms;
  };
  if (ms) {
    *out_ms = from_ms;
  } else if (minutes) {
    *out_ms = scaled(from_minutes, 60'000);
  } else if (hours) {
    *out_ms = scaled(from_hours, 3'600'000);
  }
  return absl::OkStatus();
}

// Broker log.* names of the log's topic configs.
constexpr std::pair<std::string_view, std::string_view> kLogConfigNames[] = {
    {"log.cleanup.policy", "cleanup.policy"},
    {"log.cleaner.delete.retention.ms", "delete.retention.ms"},
    {"log.cleaner.min.cleanable.ratio", "min.cleanable.dirty.ratio"},
    {"log.cleaner.min.compaction.lag.ms", "min.compaction.lag.ms"},
    {"log.flush.interval.messages", "flush.messages"},
    {"log.flush.interval.ms", "flush.ms"},
    {"log.index.interval.bytes", "index.interval.bytes"},
    {"log.index.size.max.bytes", "segment.index.bytes"},
    {"log.message.timestamp.type", "message.timestamp.type"},
    {"log.retention.bytes", "retention.bytes"},
    {"log.segment.bytes", "segment.bytes"},
    {"message.max.bytes", "max.message.bytes"},
};

// ApplyLogConfig parses a broker log.* config as its topic config does, and
// names the broker config in errors.
absl::Status ApplyLogConfig(std::string_view server_name,
                            std::string_view topic_name,
                            const std::string& value, LogConfig& log) {
  absl::StatusOr<LogConfig> applied =
      LogConfig::FromProperties({{std::string(topic_name), value}}, log);
  if (applied.ok()) {
    log = *applied;
    return absl::OkStatus();
  }
  // "invalid value '<v>' for <topic name>: <why>" becomes the same for the
  // broker name.
  const std::string prefix = absl::StrCat("invalid value '", value, "' for ",
                                          AbslView(topic_name), ": ");
  const absl::string_view message = applied.status().message();
  if (absl::StartsWith(message, prefix)) {
    return util::InvalidProperty(
        server_name, value,
        std::string_view(message.data() + prefix.size(),
                         message.size() - prefix.size()));
  }
  return util::Annotate(applied.status(), server_name);
}

absl::Status ApplyLogDefaults(Properties& properties, ServerConfig& config) {
  LogConfig& log = config.broker.log_defaults;
  RETURN_IF_ERROR(ApplyDuration(properties, "log.retention.ms",
                                "log.retention.minutes", "log.retention.hours",
                                -1, &log.retention_ms));
  RETURN_IF_ERROR(ApplyDuration(properties, "log.roll.ms", "", "log.roll.hours",
                                1, &log.segment_ms));
  for (const auto& [server_name, topic_name] : kLogConfigNames) {
    if (auto value = Take(properties, server_name)) {
      RETURN_IF_ERROR(ApplyLogConfig(server_name, topic_name, *value, log));
    }
  }
  return util::Annotate(log.Validate(), "log defaults");
}

// --- Everything else: one name, one field
// -------------------------------------

using Setter = absl::Status (*)(std::string_view name, std::string_view value,
                                ServerConfig& config);

// Setters are the configs that map to one field each, by name.
const std::map<std::string_view, Setter>& Setters() {
  static const auto* setters = new std::map<std::string_view, Setter>{
      {"auto.create.topics.enable",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseBoolProperty(n, v,
                                        &c.broker.auto_create_topics_enable);
       }},
      {"compression.type",
       [](std::string_view n, std::string_view v, ServerConfig&) {
         if (v == "producer") return absl::OkStatus();
         return util::InvalidProperty(n, v,
                                      "rill keeps the producer's compression; "
                                      "only 'producer' is supported");
       }},
      {"connections.max.idle.ms",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1,
                                       &c.server.connections_max_idle_ms);
       }},
      {"default.replication.factor",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1,
                                       &c.broker.default_replication_factor);
       }},
      {"group.initial.rebalance.delay.ms",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(
             n, v, 0, &c.broker.group.group_initial_rebalance_delay_ms);
       }},
      {"group.max.session.timeout.ms",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(
             n, v, 1, &c.broker.group.group_max_session_timeout_ms);
       }},
      {"group.max.size",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1, &c.broker.group.group_max_size);
       }},
      {"group.min.session.timeout.ms",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(
             n, v, 1, &c.broker.group.group_min_session_timeout_ms);
       }},
      {"log.retention.check.interval.ms",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1,
                                       &c.broker.maintenance_interval_ms);
       }},
      {"min.insync.replicas",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1, &c.broker.min_insync_replicas);
       }},
      {"num.network.threads",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1, &c.server.num_network_threads);
       }},
      {"num.partitions",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1, &c.broker.num_partitions);
       }},
      {"offset.metadata.max.bytes",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(
             n, v, 0, &c.broker.group.offset_metadata_max_bytes);
       }},
      {"offsets.retention.check.interval.ms",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(
             n, v, 1, &c.broker.group.offsets_retention_check_interval_ms);
       }},
      {"offsets.retention.minutes",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         int32_t minutes = 0;
         RETURN_IF_ERROR(util::ParseIntProperty(n, v, 1, &minutes));
         c.broker.group.offsets_retention_ms = minutes * int64_t{60'000};
         return absl::OkStatus();
       }},
      {"offsets.topic.num.partitions",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1,
                                       &c.broker.offsets_topic_num_partitions);
       }},
      {"offsets.topic.segment.bytes",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         // The smallest segment a log accepts (LogConfig::Validate).
         return util::ParseIntProperty(n, v, 14,
                                       &c.broker.offsets_topic_segment_bytes);
       }},
      {"producer.id.expiration.ms",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1,
                                       &c.broker.producer_id_expiration_ms);
       }},
      {"queued.max.requests",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1, &c.server.queued_max_requests);
       }},
      {"socket.request.max.bytes",
       [](std::string_view n, std::string_view v, ServerConfig& c) {
         return util::ParseIntProperty(n, v, 1,
                                       &c.server.socket_request_max_bytes);
       }},
  };
  return *setters;
}

absl::Status CheckGroupSessionTimeouts(const ServerConfig& config) {
  const GroupCoordinatorConfig& group = config.broker.group;
  if (group.group_min_session_timeout_ms > group.group_max_session_timeout_ms) {
    return absl::InvalidArgumentError(absl::StrCat(
        "group.min.session.timeout.ms (", group.group_min_session_timeout_ms,
        ") exceeds group.max.session.timeout.ms (",
        group.group_max_session_timeout_ms, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerConfig> ServerConfigFromProperties(
    const std::map<std::string, std::string>& properties) {
  ServerConfig config;
  Properties remaining = properties;
  RETURN_IF_ERROR(ApplyNodeId(remaining, config));
  RETURN_IF_ERROR(ApplyLogDirs(remaining, config));
  RETURN_IF_ERROR(ApplyListeners(remaining, config));
  RETURN_IF_ERROR(ApplyLogDefaults(remaining, config));
  for (const auto& [name, value] : remaining) {
    auto setter = Setters().find(name);
    if (setter != Setters().end()) {
      RETURN_IF_ERROR(setter->second(name, value, config));
    } else if (server::IsIgnoredKafkaConfig(name)) {
      config.ignored.push_back(name);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown config '", name,
                       "': not a Kafka broker config rill-server knows"));
    }
  }
  RETURN_IF_ERROR(CheckGroupSessionTimeouts(config));
  std::sort(config.ignored.begin(), config.ignored.end());
  return config;
}

absl::StatusOr<std::map<std::string, std::string>> ReadServerProperties(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    return absl::Status(absl::ErrnoToStatusCode(error),
                        absl::StrCat("cannot read config file '", path,
                                     "': ", std::strerror(error)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(
        absl::StrCat("cannot read config file '", path, "'"));
  }
  absl::StatusOr<std::map<std::string, std::string>> properties =
      util::ParseProperties(text.str());
  if (!properties.ok()) return util::Annotate(properties.status(), path);
  return properties;
}

absl::StatusOr<ServerConfig> LoadServerConfig(
    const std::string& path,
    const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> properties;
  if (!path.empty()) {
    ASSIGN_OR_RETURN(properties, ReadServerProperties(path));
  }
  for (const auto& [name, value] : overrides) properties[name] = value;
  return ServerConfigFromProperties(properties);
}

}  // namespace rill
