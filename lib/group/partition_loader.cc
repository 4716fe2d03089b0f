#include "group/partition_loader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "rill/record/record_batch.h"
#include "util/status_macros.h"

namespace rill::group {
namespace {

// How much one read asks for; a larger batch still comes back whole.
constexpr int64_t kReadBytes = 1 << 20;

// Apply replays one record onto `groups`.
absl::Status Apply(const record::RecordView& r,
                   std::map<std::string, LoadedGroup>& groups) {
  if (!r.key.has_value()) {
    return absl::DataLossError(
        absl::StrCat("__consumer_offsets record at offset ", r.offset.value(),
                     " has no key"));
  }
  ASSIGN_OR_RETURN(RecordKey key, DecodeRecordKey(*r.key));
  switch (key.type) {
    case RecordKey::Type::kUnknown:
      return absl::OkStatus();
    case RecordKey::Type::kOffsetCommit: {
      if (!r.value.has_value()) {
        auto it = groups.find(key.group);
        if (it != groups.end()) it->second.offsets.erase(key.tp);
        return absl::OkStatus();
      }
      ASSIGN_OR_RETURN(OffsetCommitValue value,
                       DecodeOffsetCommitValue(*r.value));
      StoredOffset stored;
      stored.value.tp = key.tp;
      stored.value.offset = Offset(value.offset);
      stored.value.leader_epoch = LeaderEpoch(value.leader_epoch);
      stored.value.metadata = std::move(value.metadata);
      stored.value.commit_timestamp_ms = value.commit_timestamp_ms;
      stored.record_offset = r.offset.value();
      stored.expire_timestamp_ms = value.expire_timestamp_ms;
      groups[key.group].offsets[key.tp] = std::move(stored);
      return absl::OkStatus();
    }
    case RecordKey::Type::kGroupMetadata: {
      if (!r.value.has_value()) {
        auto it = groups.find(key.group);
        if (it != groups.end()) it->second.metadata.reset();
        return absl::OkStatus();
      }
      ASSIGN_OR_RETURN(GroupMetadataValue value,
                       DecodeGroupMetadataValue(*r.value));
      groups[key.group].metadata = std::move(value);
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::map<std::string, LoadedGroup>> ReplayPartition(
    GroupLog& log, int32_t partition) {
  std::map<std::string, LoadedGroup> groups;
  ASSIGN_OR_RETURN(const Offset start, log.log_start_offset(partition));
  Offset next = start;
  for (;;) {
    ASSIGN_OR_RETURN(LogReadResult read, log.Read(partition, next, kReadBytes));
    if (read.size_bytes == 0) break;
    ASSIGN_OR_RETURN(std::string bytes, read.ReadAll());
    record::BatchIterator it(bytes);
    bool progressed = false;
    while (it.Next()) {
      const record::RecordBatchView& batch = it.batch();
      const record::RecordBatchHeader& h = batch.header();
      if (h.last_offset() < next.value()) continue;
      next = Offset(h.last_offset() + 1);
      progressed = true;
      if (h.is_control() || h.is_transactional()) continue;
      RETURN_IF_ERROR(batch.VerifyCrc());
      ASSIGN_OR_RETURN(record::DecodedRecords records, batch.DecodeRecords());
      for (const record::RecordView& r : records) {
        if (r.offset < start) continue;  // below the log start: deleted
        RETURN_IF_ERROR(Apply(r, groups));
      }
    }
    RETURN_IF_ERROR(it.status());
    if (!progressed || next >= read.log_end_offset) break;
  }
  for (auto it = groups.begin(); it != groups.end();) {
    if (!it->second.metadata.has_value() && it->second.offsets.empty()) {
      it = groups.erase(it);
    } else {
      ++it;
    }
  }
  return groups;
}

}  // namespace rill::group
