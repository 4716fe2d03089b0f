// ConsumerOptions::FromProperties and the checks Consumer::Create runs.
#include "client/consumer_options.h"

#include <limits>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "rill/client/assignor.h"
#include "util/properties.h"
#include "util/status_macros.h"

namespace rill {
namespace client {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status Positive(std::string_view name, int64_t value) {
  if (value > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(AbslView(name), " must be positive, got ", value));
}

absl::Status NonNegative(std::string_view name, int64_t value) {
  if (value >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(AbslView(name), " must not be negative, got ", value));
}

}  // namespace

absl::StatusOr<std::string> AssignorShortName(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"range", "range"},
      {"roundrobin", "roundrobin"},
      {"cooperative-sticky", "cooperative-sticky"},
      {"org.apache.kafka.clients.consumer.RangeAssignor", "range"},
      {"org.apache.kafka.clients.consumer.RoundRobinAssignor", "roundrobin"},
      {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
       "cooperative-sticky"},
  };
  auto it = kNames.find(name);
  if (it == kNames.end()) {
    return util::InvalidProperty(
        "partition.assignment.strategy", name,
        "expected range, roundrobin, cooperative-sticky or "
        "Kafka's class name of one of them");
  }
  return it->second;
}

absl::Status ValidateConsumerOptions(const ConsumerOptions& options) {
  if (options.group_instance_id.has_value() &&
      options.group_instance_id->empty()) {
    return absl::InvalidArgumentError(
        "group.instance.id must not be empty when set");
  }
  if (options.partition_assignment_strategy.empty()) {
    return absl::InvalidArgumentError(
        "partition.assignment.strategy must name at least one assignor");
  }
  std::set<std::string> seen;
  for (const std::string& name : options.partition_assignment_strategy) {
    if (!AssignorByName(name).ok()) {
      return util::InvalidProperty(
          "partition.assignment.strategy", name,
          "unknown assignor (expected range, roundrobin or "
          "cooperative-sticky)");
    }
    if (!seen.insert(name).second) {
      return util::InvalidProperty("partition.assignment.strategy", name,
                                   "assignor listed twice");
    }
  }
  RETURN_IF_ERROR(Positive("session.timeout.ms", options.session_timeout_ms));
  RETURN_IF_ERROR(
      Positive("heartbeat.interval.ms", options.heartbeat_interval_ms));
  RETURN_IF_ERROR(
      Positive("max.poll.interval.ms", options.max_poll_interval_ms));
  if (options.heartbeat_interval_ms >= options.session_timeout_ms) {
    return absl::InvalidArgumentError(
        absl::StrCat("heartbeat.interval.ms (", options.heartbeat_interval_ms,
                     ") must be lower than session.timeout.ms (",
                     options.session_timeout_ms, ")"));
  }
  RETURN_IF_ERROR(
      NonNegative("auto.commit.interval.ms", options.auto_commit_interval_ms));
  RETURN_IF_ERROR(Positive("max.poll.records", options.max_poll_records));
  RETURN_IF_ERROR(NonNegative("fetch.min.bytes", options.fetch_min_bytes));
  RETURN_IF_ERROR(NonNegative("fetch.max.wait.ms", options.fetch_max_wait_ms));
  RETURN_IF_ERROR(NonNegative("fetch.max.bytes", options.fetch_max_bytes));
  RETURN_IF_ERROR(NonNegative("max.partition.fetch.bytes",
                              options.max_partition_fetch_bytes));
  RETURN_IF_ERROR(Positive("metadata.max.age.ms", options.metadata_max_age_ms));
  return absl::OkStatus();
}

}  // namespace client

absl::StatusOr<ConsumerOptions> ConsumerOptions::FromProperties(
    const std::map<std::string, std::string>& properties) {
  ConsumerOptions options;
  for (const auto& [name, value] : properties) {
    absl::Status status;
    if (name == "group.id") {
      options.group_id = value;
    } else if (name == "group.instance.id") {
      options.group_instance_id = value;
    } else if (name == "client.id") {
      options.client_id = value;
    } else if (name == "auto.offset.reset") {
      if (value == "latest") {
        options.auto_offset_reset = AutoOffsetReset::kLatest;
      } else if (value == "earliest") {
        options.auto_offset_reset = AutoOffsetReset::kEarliest;
      } else if (value == "none") {
        options.auto_offset_reset = AutoOffsetReset::kNone;
      } else {
        status = util::InvalidProperty(name, value,
                                       "expected latest, earliest or none");
      }
    } else if (name == "enable.auto.commit") {
      status =
          util::ParseBoolProperty(name, value, &options.enable_auto_commit);
    } else if (name == "auto.commit.interval.ms") {
      status = util::ParseIntProperty(name, value, 0,
                                      &options.auto_commit_interval_ms);
    } else if (name == "session.timeout.ms") {
      status =
          util::ParseIntProperty(name, value, 1, &options.session_timeout_ms);
    } else if (name == "heartbeat.interval.ms") {
      status = util::ParseIntProperty(name, value, 1,
                                      &options.heartbeat_interval_ms);
    } else if (name == "max.poll.interval.ms") {
      status =
          util::ParseIntProperty(name, value, 1, &options.max_poll_interval_ms);
    } else if (name == "partition.assignment.strategy") {
      options.partition_assignment_strategy.clear();
      for (absl::string_view part :
           absl::StrSplit(client::AbslView(value), ',', absl::SkipEmpty())) {
        absl::string_view trimmed = absl::StripAsciiWhitespace(part);
        if (trimmed.empty()) continue;
        absl::StatusOr<std::string> short_name = client::AssignorShortName(
            std::string_view(trimmed.data(), trimmed.size()));
        if (!short_name.ok()) return short_name.status();
        options.partition_assignment_strategy.push_back(*short_name);
      }
      if (options.partition_assignment_strategy.empty()) {
        status = util::InvalidProperty(name, value,
                                       "expected at least one assignor");
      }
    } else if (name == "fetch.min.bytes") {
      status = util::ParseIntProperty(name, value, 0, &options.fetch_min_bytes);
    } else if (name == "fetch.max.wait.ms") {
      status =
          util::ParseIntProperty(name, value, 0, &options.fetch_max_wait_ms);
    } else if (name == "fetch.max.bytes") {
      status = util::ParseIntProperty(name, value, 0, &options.fetch_max_bytes);
    } else if (name == "max.partition.fetch.bytes") {
      status = util::ParseIntProperty(name, value, 0,
                                      &options.max_partition_fetch_bytes);
    } else if (name == "max.poll.records") {
      status =
          util::ParseIntProperty(name, value, 1, &options.max_poll_records);
    } else if (name == "isolation.level") {
      if (value == "read_uncommitted") {
        options.isolation_level = IsolationLevel::kReadUncommitted;
      } else if (value == "read_committed") {
        options.isolation_level = IsolationLevel::kReadCommitted;
      } else {
        status = util::InvalidProperty(
            name, value, "expected read_uncommitted or read_committed");
      }
    } else if (name == "check.crcs") {
      status = util::ParseBoolProperty(name, value, &options.check_crcs);
    } else if (name == "metadata.max.age.ms") {
      status =
          util::ParseIntProperty(name, value, 1, &options.metadata_max_age_ms);
    } else {
      // As rill's ProducerOptions: a misspelt name is an error, not a
      // silently ignored setting.
      status = absl::InvalidArgumentError(absl::StrCat(
          "unknown consumer property '", client::AbslView(name), "'"));
    }
    if (!status.ok()) return status;
  }
  return options;
}

}  // namespace rill
