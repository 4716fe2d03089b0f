// rill/log/log_config.h — a partition log's configuration, with Kafka's topic
// configuration names and defaults.
//
//   rill::LogConfig config{.segment_bytes = 64 << 20, .retention_ms =
//   3'600'000}; ASSIGN_OR_RETURN(rill::LogConfig parsed,
//   rill::LogConfig::FromProperties(
//       {{"cleanup.policy", "compact"}, {"segment.ms", "60000"}}));
#ifndef RILL_LOG_LOG_CONFIG_H_
#define RILL_LOG_LOG_CONFIG_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "rill/record/record_batch.h"

namespace rill {

// LogConfig: plain value type. Each field names its Kafka config.
struct LogConfig {
  // segment.bytes: roll the active segment when appending would take it past
  // this size. Default: 1 GiB.
  int32_t segment_bytes = 1 << 30;
  // segment.ms: roll when the active segment's first batch is this old.
  // Default: 7 days.
  int64_t segment_ms = 7 * 24 * 3600 * 1000LL;
  // segment.index.bytes: roll when the offset or time index reaches this
  // size. Default: 10 MiB.
  int32_t segment_index_bytes = 10 << 20;
  // index.interval.bytes: bytes of batches between offset index entries.
  // Default: 4096.
  int32_t index_interval_bytes = 4096;
  // retention.ms: delete segments whose newest record is older; -1 keeps
  // forever. Default: 7 days.
  int64_t retention_ms = 7 * 24 * 3600 * 1000LL;
  // retention.bytes: delete oldest segments while the log is larger; -1 keeps
  // all. Default: -1.
  int64_t retention_bytes = -1;
  // flush.messages: fsync after this many appended records. Default: never
  // (durability comes from replication, as in Kafka).
  int64_t flush_messages = std::numeric_limits<int64_t>::max();
  // flush.ms: fsync when the oldest unflushed append is this old.
  // Default: never.
  int64_t flush_ms = std::numeric_limits<int64_t>::max();
  // cleanup.policy "delete": segments expire by retention.ms / retention.bytes.
  // Default: true.
  bool cleanup_delete = true;
  // cleanup.policy "compact": keep the latest record per key. Default: false.
  bool cleanup_compact = false;
  // delete.retention.ms: how long a tombstone (null value) survives
  // compaction. Default: 1 day.
  int64_t delete_retention_ms = 24 * 3600 * 1000LL;
  // min.compaction.lag.ms: records younger than this are not compacted.
  // Default: 0.
  int64_t min_compaction_lag_ms = 0;
  // min.cleanable.dirty.ratio: compact when this share of the log is
  // uncompacted. Default: 0.5.
  double min_cleanable_dirty_ratio = 0.5;
  // max.message.bytes: largest batch accepted. Default: 1048588.
  int32_t max_message_bytes = 1048588;
  // message.timestamp.type: CreateTime keeps the producer's timestamps;
  // LogAppendTime stamps batches with the broker's clock. Default: CreateTime.
  record::TimestampType message_timestamp_type =
      record::TimestampType::kCreateTime;

  // FromProperties overlays Kafka-named properties on `base`. Unknown names
  // and invalid values are kInvalidArgument naming the property.
  static absl::StatusOr<LogConfig> FromProperties(
      const std::map<std::string, std::string>& properties,
      const LogConfig& base);
  static absl::StatusOr<LogConfig> FromProperties(
      const std::map<std::string, std::string>& properties) {
    return FromProperties(properties, LogConfig{});
  }

  // ToProperties gives every field under its Kafka name.
  std::map<std::string, std::string> ToProperties() const;

  // Validate checks ranges (e.g. segment.bytes >= 14, index.interval.bytes
  // >= 0, a cleanup policy set).
  absl::Status Validate() const;

  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

}  // namespace rill

#endif  // RILL_LOG_LOG_CONFIG_H_
