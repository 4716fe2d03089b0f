#include "rill/log/log_config.h"

#include <functional>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "util/properties.h"

namespace rill {
namespace {

using record::TimestampType;

absl::Status ParseCleanupPolicy(const std::string& value, LogConfig* config) {
  bool compact = false, del = false;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (part == "compact") {
      compact = true;
    } else if (part == "delete") {
      del = true;
    } else {
      return util::InvalidProperty(
          "cleanup.policy", value,
          "expected delete, compact or compact,delete");
    }
  }
  config->cleanup_compact = compact;
  config->cleanup_delete = del;
  return absl::OkStatus();
}

// One entry per supported property: how to parse it into a LogConfig.
using Parser = std::function<absl::Status(const std::string&, LogConfig*)>;

const std::map<std::string, Parser, std::less<>>& Parsers() {
  // Built once; a function-local constant, not mutable global state.
  static const auto* parsers = new std::map<std::string, Parser, std::less<>>{
      {"segment.bytes",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int32_t>("segment.bytes", v, 14,
                                                &c->segment_bytes);
       }},
      {"segment.ms",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int64_t>("segment.ms", v, 1,
                                                &c->segment_ms);
       }},
      {"segment.index.bytes",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int32_t>("segment.index.bytes", v, 4,
                                                &c->segment_index_bytes);
       }},
      {"index.interval.bytes",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int32_t>("index.interval.bytes", v, 0,
                                                &c->index_interval_bytes);
       }},
      {"retention.ms",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int64_t>("retention.ms", v, -1,
                                                &c->retention_ms);
       }},
      {"retention.bytes",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int64_t>("retention.bytes", v, -1,
                                                &c->retention_bytes);
       }},
      {"flush.messages",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int64_t>("flush.messages", v, 1,
                                                &c->flush_messages);
       }},
      {"flush.ms",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int64_t>("flush.ms", v, 0, &c->flush_ms);
       }},
      {"cleanup.policy", ParseCleanupPolicy},
      {"delete.retention.ms",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int64_t>("delete.retention.ms", v, 0,
                                                &c->delete_retention_ms);
       }},
      {"min.compaction.lag.ms",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int64_t>("min.compaction.lag.ms", v, 0,
                                                &c->min_compaction_lag_ms);
       }},
      {"min.cleanable.dirty.ratio",
       [](const std::string& v, LogConfig* c) {
         double d;
         if (!absl::SimpleAtod(v, &d) || d < 0 || d > 1) {
           return util::InvalidProperty("min.cleanable.dirty.ratio", v,
                                        "must be a number in [0, 1]");
         }
         c->min_cleanable_dirty_ratio = d;
         return absl::OkStatus();
       }},
      {"max.message.bytes",
       [](const std::string& v, LogConfig* c) {
         return util::ParseIntProperty<int32_t>("max.message.bytes", v, 0,
                                                &c->max_message_bytes);
       }},
      {"message.timestamp.type",
       [](const std::string& v, LogConfig* c) {
         if (v == "CreateTime") {
           c->message_timestamp_type = TimestampType::kCreateTime;
         } else if (v == "LogAppendTime") {
           c->message_timestamp_type = TimestampType::kLogAppendTime;
         } else {
           return util::InvalidProperty("message.timestamp.type", v,
                                        "expected CreateTime or LogAppendTime");
         }
         return absl::OkStatus();
       }},
  };
  return *parsers;
}

}  // namespace

absl::StatusOr<LogConfig> LogConfig::FromProperties(
    const std::map<std::string, std::string>& properties,
    const LogConfig& base) {
  LogConfig config = base;
  for (const auto& [name, value] : properties) {
    auto it = Parsers().find(name);
    if (it == Parsers().end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown log config '", name, "'"));
    }
    absl::Status status = it->second(value, &config);
    if (!status.ok()) return status;
  }
  absl::Status status = config.Validate();
  if (!status.ok()) return status;
  return config;
}

std::map<std::string, std::string> LogConfig::ToProperties() const {
  std::string policy;
  if (cleanup_compact) policy = "compact";
  if (cleanup_delete) policy += policy.empty() ? "delete" : ",delete";
  return {
      {"segment.bytes", absl::StrCat(segment_bytes)},
      {"segment.ms", absl::StrCat(segment_ms)},
      {"segment.index.bytes", absl::StrCat(segment_index_bytes)},
      {"index.interval.bytes", absl::StrCat(index_interval_bytes)},
      {"retention.ms", absl::StrCat(retention_ms)},
      {"retention.bytes", absl::StrCat(retention_bytes)},
      {"flush.messages", absl::StrCat(flush_messages)},
      {"flush.ms", absl::StrCat(flush_ms)},
      {"cleanup.policy", policy},
      {"delete.retention.ms", absl::StrCat(delete_retention_ms)},
      {"min.compaction.lag.ms", absl::StrCat(min_compaction_lag_ms)},
      {"min.cleanable.dirty.ratio", absl::StrCat(min_cleanable_dirty_ratio)},
      {"max.message.bytes", absl::StrCat(max_message_bytes)},
      {"message.timestamp.type",
       message_timestamp_type == TimestampType::kLogAppendTime ? "LogAppendTime"
                                                               : "CreateTime"},
  };
}

absl::Status LogConfig::Validate() const {
  if (segment_bytes < 14) {
    return absl::InvalidArgumentError("segment.bytes must be at least 14");
  }
  if (segment_ms < 1) {
    return absl::InvalidArgumentError("segment.ms must be positive");
  }
  if (segment_index_bytes < 4) {
    return absl::InvalidArgumentError("segment.index.bytes must be at least 4");
  }
  if (index_interval_bytes < 0) {
    return absl::InvalidArgumentError("index.interval.bytes must be >= 0");
  }
  if (retention_ms < -1 || retention_bytes < -1) {
    return absl::InvalidArgumentError(
        "retention.ms and retention.bytes must be >= -1");
  }
  if (flush_messages < 1 || flush_ms < 0) {
    return absl::InvalidArgumentError(
        "flush.messages must be >= 1 and flush.ms >= 0");
  }
  if (!cleanup_delete && !cleanup_compact) {
    return absl::InvalidArgumentError("cleanup.policy must not be empty");
  }
  if (delete_retention_ms < 0 || min_compaction_lag_ms < 0) {
    return absl::InvalidArgumentError(
        "delete.retention.ms and min.compaction.lag.ms must be >= 0");
  }
  if (min_cleanable_dirty_ratio < 0 || min_cleanable_dirty_ratio > 1) {
    return absl::InvalidArgumentError(
        "min.cleanable.dirty.ratio must be in [0, 1]");
  }
  if (max_message_bytes < 0) {
    return absl::InvalidArgumentError("max.message.bytes must be >= 0");
  }
  return absl::OkStatus();
}

}  // namespace rill
