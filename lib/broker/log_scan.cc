#include "broker/log_scan.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "record/format.h"
#include "rill/record/record_batch.h"
#include "util/status_macros.h"

namespace rill::broker {
namespace {

namespace rf = record::format;

// kScanChunkBytes bounds one Log::Read of a scan; the read returns file
// ranges, not bytes, so this only limits how far one index walk goes.
constexpr int64_t kScanChunkBytes = 64 << 20;

}  // namespace

absl::Status ForEachBatchHeader(
    Log& log, Offset from, Offset to,
    absl::FunctionRef<absl::Status(const record::RecordBatchHeader&)> fn) {
  Offset next = std::max(from, log.log_start_offset());
  char scratch[rf::kHeaderSize];
  while (next < to) {
    absl::StatusOr<LogReadResult> read =
        log.Read(next, {.max_bytes = kScanChunkBytes,
                        .max_offset = to,
                        .min_one_batch = true});
    if (!read.ok()) {
      // Retention or DeleteRecords may move the log start past us mid-scan.
      const Offset start = log.log_start_offset();
      if (absl::IsOutOfRange(read.status()) && next < start) {
        next = start;
        continue;
      }
      return read.status();
    }
    Offset progress = next;
    for (const LogSlice& slice : read->slices) {
      uint64_t position = slice.position;
      const uint64_t end = slice.position + slice.size;
      while (position < end) {
        if (end - position < rf::kHeaderSize) {
          return absl::DataLossError(absl::StrCat("log ", log.dir(),
                                                  ": partial batch at byte ",
                                                  position, " of a segment"));
        }
        ASSIGN_OR_RETURN(
            std::string_view bytes,
            slice.file->ReadAt(position, rf::kHeaderSize, scratch));
        if (bytes.size() < rf::kHeaderSize) {
          return absl::DataLossError(absl::StrCat(
              "log ", log.dir(), ": segment shrank while being scanned"));
        }
        absl::StatusOr<record::RecordBatchHeader> parsed =
            record::ParseBatchHeader(bytes);
        if (!parsed.ok()) {
          return absl::DataLossError(
              absl::StrCat("log ", log.dir(), ": bad batch header at byte ",
                           position, ": ", parsed.status().message()));
        }
        const record::RecordBatchHeader& h = *parsed;
        if (h.last_offset() >= next.value()) RETURN_IF_ERROR(fn(h));
        progress = std::max(progress, Offset(h.last_offset() + 1));
        position += static_cast<uint64_t>(h.total_size());
      }
    }
    if (progress <= next) break;  // nothing more below `to`
    next = progress;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<TimestampOffset>> FindMaxTimestamp(Log& log,
                                                                Offset to) {
  std::optional<record::RecordBatchHeader> best;
  RETURN_IF_ERROR(ForEachBatchHeader(
      log, log.log_start_offset(), to, [&](const record::RecordBatchHeader& h) {
        if (!best || h.max_timestamp > best->max_timestamp) best = h;
        return absl::OkStatus();
      }));
  if (!best) return std::nullopt;

  // The batch's maxTimestamp names the timestamp; its records name the
  // offset (Kafka before 3.8 answered with the batch's last offset).
  const Offset start =
      std::max(Offset(best->base_offset), log.log_start_offset());
  ASSIGN_OR_RETURN(LogReadResult read,
                   log.Read(start, {.max_bytes = 0,
                                    .max_offset = Offset(best->base_offset + 1),
                                    .min_one_batch = true}));
  ASSIGN_OR_RETURN(std::string bytes, read.ReadAll());
  ASSIGN_OR_RETURN(record::RecordBatchView batch,
                   record::RecordBatchView::Parse(bytes));
  ASSIGN_OR_RETURN(record::DecodedRecords records, batch.DecodeRecords());
  for (const record::RecordView& r : records) {
    if (r.offset >= start && r.timestamp_ms == best->max_timestamp) {
      return TimestampOffset{.timestamp_ms = r.timestamp_ms,
                             .offset = r.offset};
    }
  }
  return TimestampOffset{.timestamp_ms = best->max_timestamp,
                         .offset = Offset(best->last_offset())};
}

}  // namespace rill::broker
