// group_records.h — encode and decode the coordinator's __consumer_offsets
// records (layouts in format.h).
//
//   ASSIGN_OR_RETURN(std::string key, EncodeOffsetCommitKey("g", tp));
//   ASSIGN_OR_RETURN(std::string value, EncodeOffsetCommitValue(
//       {.offset = 42, .metadata = "", .commit_timestamp_ms = now}));
//   ...
//   ASSIGN_OR_RETURN(RecordKey k, DecodeRecordKey(record.key));
//   if (k.type == RecordKey::Type::kOffsetCommit) { ... }
#ifndef RILL_GROUP_GROUP_RECORDS_H_
#define RILL_GROUP_GROUP_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/types.h"

namespace rill::group {

// RecordKey is a decoded key.
struct RecordKey {
  enum class Type {
    kOffsetCommit,   // group, tp
    kGroupMetadata,  // group
    kUnknown,        // a key version this coordinator does not own
  };
  Type type = Type::kUnknown;
  int16_t version = 0;
  std::string group;
  TopicPartition tp;
};

// OffsetCommitValue is one committed offset.
struct OffsetCommitValue {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata = {};
  int64_t commit_timestamp_ms = -1;
  // Only in version 1 values (old explicit per-commit retention); -1 else.
  // Encoding a value with one writes version 1.
  int64_t expire_timestamp_ms = -1;
};

// MemberMetadataValue is one member inside a GroupMetadataValue.
struct MemberMetadataValue {
  std::string member_id = {};
  std::optional<std::string> group_instance_id = std::nullopt;
  std::string client_id = {};
  std::string client_host = {};
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  // The member's metadata for the group's protocol.
  std::string subscription = {};
  std::string assignment = {};
};

// GroupMetadataValue is a group's membership as of one generation.
struct GroupMetadataValue {
  std::string protocol_type = {};
  int32_t generation = 0;
  std::optional<std::string> protocol = std::nullopt;
  std::optional<std::string> leader = std::nullopt;
  int64_t current_state_timestamp_ms = -1;
  std::vector<MemberMetadataValue> members = {};
};

// Encoders: kInvalidArgument when a string is longer than 32767 bytes.
absl::StatusOr<std::string> EncodeOffsetCommitKey(std::string_view group,
                                                  const TopicPartition& tp);
absl::StatusOr<std::string> EncodeGroupMetadataKey(std::string_view group);
absl::StatusOr<std::string> EncodeOffsetCommitValue(
    const OffsetCommitValue& value);
absl::StatusOr<std::string> EncodeGroupMetadataValue(
    const GroupMetadataValue& value);

// Decoders: kDataLoss for bytes that do not parse, including a value version
// newer than format.h's (such a record cannot be restored faithfully).
absl::StatusOr<RecordKey> DecodeRecordKey(std::string_view key);
absl::StatusOr<OffsetCommitValue> DecodeOffsetCommitValue(
    std::string_view value);
absl::StatusOr<GroupMetadataValue> DecodeGroupMetadataValue(
    std::string_view value);

}  // namespace rill::group

#endif  // RILL_GROUP_GROUP_RECORDS_H_
