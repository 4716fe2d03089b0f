#include "log/cleaner.h"

#include <xxhash.h>

#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "log/format.h"
#include "rill/record/record_batch.h"
#include "util/status_macros.h"

namespace rill::log {
namespace {

using KeyHash = std::pair<uint64_t, uint64_t>;
using OffsetMap = absl::flat_hash_map<KeyHash, int64_t>;

KeyHash HashKey(std::string_view key) {
  XXH128_hash_t h = XXH3_128bits(key.data(), key.size());
  return {h.high64, h.low64};
}

// ForEachBatch reads a source segment's bytes and calls fn on every batch.
template <typename Fn>
absl::Status ForEachBatch(const CleanSource& source, Fn fn) {
  std::string scratch(source.size, '\0');
  ASSIGN_OR_RETURN(std::string_view bytes,
                   source.file->ReadAt(0, source.size, scratch.data()));
  if (bytes.size() != source.size) {
    return absl::AbortedError("segment shrank while being compacted");
  }
  record::BatchIterator it(bytes);
  while (it.Next()) RETURN_IF_ERROR(fn(it.batch()));
  return it.status();
}

absl::Status BuildOffsetMap(const std::vector<CleanSource>& sources,
                            OffsetMap* map) {
  for (const CleanSource& source : sources) {
    RETURN_IF_ERROR(ForEachBatch(source, [&](const record::RecordBatchView& b) {
      if (b.header().is_control()) return absl::OkStatus();
      ASSIGN_OR_RETURN(record::DecodedRecords records, b.DecodeRecords());
      for (const record::RecordView& r : records) {
        if (r.key) (*map)[HashKey(*r.key)] = r.offset.value();
      }
      return absl::OkStatus();
    }));
  }
  return absl::OkStatus();
}

// CleanBatch appends the surviving part of `batch` to `out`.
absl::Status CleanBatch(const record::RecordBatchView& batch,
                        const OffsetMap& map, bool drop_tombstones,
                        std::string* out, CompactionStats* stats) {
  const record::RecordBatchHeader& h = batch.header();
  if (h.is_control()) {
    out->append(batch.data());
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(record::DecodedRecords records, batch.DecodeRecords());
  std::vector<const record::RecordView*> kept;
  for (const record::RecordView& r : records) {
    stats->records_read++;
    auto latest_it = r.key ? map.find(HashKey(*r.key)) : map.end();
    const bool latest =
        latest_it == map.end() || latest_it->second == r.offset.value();
    const bool tombstone = !r.value.has_value();
    if (latest && !(tombstone && drop_tombstones)) {
      kept.push_back(&r);
    } else {
      stats->records_removed++;
      if (latest && tombstone) stats->tombstones_removed++;
    }
  }
  if (kept.size() == records.size()) {
    out->append(batch.data());  // untouched: the producer's bytes as they were
    return absl::OkStatus();
  }
  if (kept.empty()) return absl::OkStatus();
  record::RecordBatchBuilder builder({
      .compression = h.compression(),
      .timestamp_type = h.timestamp_type(),
      .base_offset = h.base_offset,
      .partition_leader_epoch = h.partition_leader_epoch,
      .producer_id = h.producer_id,
      .producer_epoch = h.producer_epoch,
      .base_sequence = h.base_sequence,
      .is_transactional = h.is_transactional(),
  });
  for (const record::RecordView* r : kept) {
    builder.AppendWithOffset(r->offset, {.timestamp_ms = r->timestamp_ms,
                                         .key = r->key,
                                         .value = r->value,
                                         .headers = r->headers});
  }
  // Keep the batch's last offset so producer sequence numbers stay valid.
  builder.set_last_offset_delta(h.last_offset_delta);
  ASSIGN_OR_RETURN(std::string rebuilt, builder.Build());
  out->append(rebuilt);
  return absl::OkStatus();
}

std::string CleanedPath(const std::string& dir, Offset base) {
  return absl::StrCat(io::JoinPath(dir, SegmentFileName(base, kLogFileSuffix)),
                      kCleanedSuffix);
}

// SwapIn replaces the segments at `replaced` (the first is `base`) with the
// complete swap file: the crash-safe tail of the protocol, shared by the
// cleaner and by recovery.
absl::Status SwapIn(io::FileSystem& fs, const std::string& dir, Offset base,
                    const std::vector<Offset>& replaced) {
  for (Offset old : replaced) {
    RETURN_IF_ERROR(RemoveSegmentFiles(fs, dir, old, /*keep_log=*/old == base));
  }
  const std::string log =
      io::JoinPath(dir, SegmentFileName(base, kLogFileSuffix));
  RETURN_IF_ERROR(fs.Rename(absl::StrCat(log, kSwapSuffix), log));
  return fs.SyncDir(dir);
}

}  // namespace

absl::StatusOr<std::vector<PreparedGroup>> WriteCleanedSegments(
    const CleanerInput& in, CompactionStats* stats) {
  OffsetMap map;
  RETURN_IF_ERROR(BuildOffsetMap(in.sources, &map));

  // Group consecutive segments whose combined size fits one segment and
  // whose offsets fit 32-bit relative offsets.
  std::vector<std::vector<const CleanSource*>> groups;
  uint64_t group_bytes = 0;
  for (const CleanSource& source : in.sources) {
    if (groups.empty() ||
        group_bytes + source.size >
            static_cast<uint64_t>(in.config.segment_bytes) ||
        source.next_offset - groups.back().front()->base >
            std::numeric_limits<int32_t>::max()) {
      groups.emplace_back();
      group_bytes = 0;
    }
    groups.back().push_back(&source);
    group_bytes += source.size;
  }

  std::vector<PreparedGroup> prepared;
  for (const auto& group : groups) {
    PreparedGroup out{.base = group.front()->base, .replaced = {}, .bytes = 0};
    std::string bytes;
    for (const CleanSource* source : group) {
      out.replaced.push_back(source->base);
      stats->bytes_read += source->size;
      const bool drop_tombstones =
          source->max_timestamp_ms < in.now_ms - in.config.delete_retention_ms;
      RETURN_IF_ERROR(
          ForEachBatch(*source, [&](const record::RecordBatchView& b) {
            return CleanBatch(b, map, drop_tombstones, &bytes, stats);
          }));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<io::File> file,
                     in.fs.OpenFile(CleanedPath(in.dir, out.base),
                                    {.create = true, .truncate = true}));
    RETURN_IF_ERROR(file->Append(bytes));
    RETURN_IF_ERROR(file->Sync());
    out.bytes = bytes.size();
    stats->bytes_written += bytes.size();
    stats->segments_cleaned += static_cast<int>(group.size());
    prepared.push_back(std::move(out));
  }
  return prepared;
}

void DiscardCleanedSegments(io::FileSystem& fs, const std::string& dir,
                            const std::vector<PreparedGroup>& groups) {
  // Best effort: leftovers are removed on the next open anyway.
  for (const PreparedGroup& group : groups) {
    (void)fs.RemoveFile(CleanedPath(dir, group.base));
  }
}

absl::StatusOr<std::vector<CleanedGroup>> SwapInCleanedSegments(
    io::FileSystem& fs, const std::string& dir, const LogConfig& config,
    int64_t now_ms, const std::vector<PreparedGroup>& groups) {
  std::vector<CleanedGroup> cleaned;
  for (const PreparedGroup& group : groups) {
    const std::string log =
        io::JoinPath(dir, SegmentFileName(group.base, kLogFileSuffix));
    RETURN_IF_ERROR(fs.Rename(CleanedPath(dir, group.base),
                              absl::StrCat(log, kSwapSuffix)));
    RETURN_IF_ERROR(fs.SyncDir(dir));  // the commit point
    RETURN_IF_ERROR(SwapIn(fs, dir, group.base, group.replaced));
    ASSIGN_OR_RETURN(std::unique_ptr<Segment> segment,
                     Segment::Open(fs, dir, group.base, config, now_ms,
                                   /*trust_indexes=*/false));
    RETURN_IF_ERROR(segment->Recover().status());
    RETURN_IF_ERROR(segment->Flush());
    cleaned.push_back({group.replaced, std::move(segment)});
  }
  return cleaned;
}

absl::Status CompleteInterruptedSwaps(io::FileSystem& fs,
                                      const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  bool removed_cleaned = false;
  for (const std::string& name : names) {
    if (absl::EndsWith(name, kCleanedSuffix)) {
      RETURN_IF_ERROR(io::RemoveFileIfExists(fs, io::JoinPath(dir, name)));
      removed_cleaned = true;
    }
  }
  const std::string swap_suffix = absl::StrCat(kLogFileSuffix, kSwapSuffix);
  for (const std::string& name : names) {
    std::optional<Offset> base = ParseSegmentFileName(name, swap_suffix);
    if (!base) continue;
    // The swap replaced every old segment that starts within its range.
    ASSIGN_OR_RETURN(std::unique_ptr<io::File> swap,
                     fs.OpenFile(io::JoinPath(dir, name), {}));
    ASSIGN_OR_RETURN(int64_t last, LastOffsetInFile(*swap));
    swap.reset();
    std::vector<Offset> replaced = {*base};
    for (const std::string& other : names) {
      std::optional<Offset> old = ParseSegmentFileName(other, kLogFileSuffix);
      if (old && *old > *base && old->value() <= last) replaced.push_back(*old);
    }
    RETURN_IF_ERROR(SwapIn(fs, dir, *base, replaced));  // syncs the directory
  }
  return removed_cleaned ? fs.SyncDir(dir) : absl::OkStatus();
}

}  // namespace rill::log
