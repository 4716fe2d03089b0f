#include "group/group_records.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "group/format.h"
#include "group/wire.h"
#include "util/status_macros.h"

namespace rill::group {
namespace {

// Bytes after the fields of a known version are ignored, as Kafka does: a
// writer may only add ignorable fields, and only in newer versions.

// The smallest encoded MemberMetadata (v0: four empty strings, an int32 and
// two empty bytes), bounding a member count by what is left.
constexpr size_t kMinMemberSize = 4 * 2 + 4 + 2 * 4;

absl::Status UnsupportedVersion(std::string_view what, int16_t version) {
  return absl::DataLossError(
      absl::StrCat(absl::string_view(what.data(), what.size()), " version ",
                   version, " is newer than this coordinator reads"));
}

}  // namespace

absl::StatusOr<std::string> EncodeOffsetCommitKey(std::string_view group,
                                                  const TopicPartition& tp) {
  WireWriter w;
  w.Int16(kOffsetCommitKeyVersion);
  RETURN_IF_ERROR(w.String(group));
  RETURN_IF_ERROR(w.String(tp.topic));
  w.Int32(tp.partition.value());
  return std::move(w).data();
}

absl::StatusOr<std::string> EncodeGroupMetadataKey(std::string_view group) {
  WireWriter w;
  w.Int16(kGroupMetadataKeyVersion);
  RETURN_IF_ERROR(w.String(group));
  return std::move(w).data();
}

absl::StatusOr<std::string> EncodeOffsetCommitValue(
    const OffsetCommitValue& value) {
  WireWriter w;
  if (value.expire_timestamp_ms >= 0) {
    // Only version 1 has an explicit expiry (and no leader epoch: commits
    // that set a retention predate leader epochs).
    w.Int16(kExpiringOffsetCommitValueVersion);
    w.Int64(value.offset);
    RETURN_IF_ERROR(w.String(value.metadata));
    w.Int64(value.commit_timestamp_ms);
    w.Int64(value.expire_timestamp_ms);
    return std::move(w).data();
  }
  w.Int16(kOffsetCommitValueVersion);
  w.Int64(value.offset);
  w.Int32(value.leader_epoch);
  RETURN_IF_ERROR(w.String(value.metadata));
  w.Int64(value.commit_timestamp_ms);
  return std::move(w).data();
}

absl::StatusOr<std::string> EncodeGroupMetadataValue(
    const GroupMetadataValue& value) {
  WireWriter w;
  w.Int16(kGroupMetadataValueVersion);
  RETURN_IF_ERROR(w.String(value.protocol_type));
  w.Int32(value.generation);
  RETURN_IF_ERROR(w.NullableString(value.protocol));
  RETURN_IF_ERROR(w.NullableString(value.leader));
  w.Int64(value.current_state_timestamp_ms);
  w.Int32(static_cast<int32_t>(value.members.size()));
  for (const MemberMetadataValue& m : value.members) {
    RETURN_IF_ERROR(w.String(m.member_id));
    RETURN_IF_ERROR(w.NullableString(m.group_instance_id));
    RETURN_IF_ERROR(w.String(m.client_id));
    RETURN_IF_ERROR(w.String(m.client_host));
    w.Int32(m.rebalance_timeout_ms);
    w.Int32(m.session_timeout_ms);
    RETURN_IF_ERROR(w.Bytes(m.subscription));
    RETURN_IF_ERROR(w.Bytes(m.assignment));
  }
  return std::move(w).data();
}

absl::StatusOr<RecordKey> DecodeRecordKey(std::string_view key) {
  WireReader r(key, "__consumer_offsets key");
  RecordKey out;
  out.version = r.Int16();
  RETURN_IF_ERROR(r.status());
  switch (out.version) {
    case kLegacyOffsetCommitKeyVersion:
    case kOffsetCommitKeyVersion:
      out.type = RecordKey::Type::kOffsetCommit;
      out.group = r.String();
      out.tp.topic = r.String();
      out.tp.partition = PartitionId(r.Int32());
      break;
    case kGroupMetadataKeyVersion:
      out.type = RecordKey::Type::kGroupMetadata;
      out.group = r.String();
      break;
    default:
      if (out.version < 0) {
        return absl::DataLossError(absl::StrCat(
            "negative __consumer_offsets key version ", out.version));
      }
      out.type = RecordKey::Type::kUnknown;
      return out;
  }
  RETURN_IF_ERROR(r.status());
  return out;
}

absl::StatusOr<OffsetCommitValue> DecodeOffsetCommitValue(
    std::string_view value) {
  WireReader r(value, "OffsetCommitValue");
  const int16_t version = r.Int16();
  RETURN_IF_ERROR(r.status());
  if (version < 0) {
    return absl::DataLossError("negative OffsetCommitValue version");
  }
  if (version > kOffsetCommitValueVersion) {
    return UnsupportedVersion("OffsetCommitValue", version);
  }
  OffsetCommitValue out;
  out.offset = r.Int64();
  if (version >= 3) out.leader_epoch = r.Int32();
  out.metadata = r.String();
  out.commit_timestamp_ms = r.Int64();
  if (version == 1) out.expire_timestamp_ms = r.Int64();
  RETURN_IF_ERROR(r.status());
  return out;
}

absl::StatusOr<GroupMetadataValue> DecodeGroupMetadataValue(
    std::string_view value) {
  WireReader r(value, "GroupMetadataValue");
  const int16_t version = r.Int16();
  RETURN_IF_ERROR(r.status());
  if (version < 0) {
    return absl::DataLossError("negative GroupMetadataValue version");
  }
  if (version > kGroupMetadataValueVersion) {
    return UnsupportedVersion("GroupMetadataValue", version);
  }
  GroupMetadataValue out;
  out.protocol_type = r.String();
  out.generation = r.Int32();
  out.protocol = r.NullableString();
  out.leader = r.NullableString();
  if (version >= 2) out.current_state_timestamp_ms = r.Int64();
  const int32_t count = r.ArrayCount(kMinMemberSize);
  for (int32_t i = 0; i < count && r.status().ok(); ++i) {
    MemberMetadataValue m;
    m.member_id = r.String();
    if (version >= 3) m.group_instance_id = r.NullableString();
    m.client_id = r.String();
    m.client_host = r.String();
    if (version >= 1) m.rebalance_timeout_ms = r.Int32();
    m.session_timeout_ms = r.Int32();
    if (version == 0) m.rebalance_timeout_ms = m.session_timeout_ms;
    m.subscription = r.Bytes();
    m.assignment = r.Bytes();
    out.members.push_back(std::move(m));
  }
  RETURN_IF_ERROR(r.status());
  return out;
}

}  // namespace rill::group
