// Compaction (cleanup.policy=compact): keep the latest record of every key.
//
// One pass: build a map from key (a 128-bit XXH3 hash) to the latest offset
// over the candidate segments; rewrite them in groups that fit one segment,
// keeping a record only if it is the latest for its key (tombstones only
// until delete.retention.ms has passed). Batches keep their base offset,
// producer fields and last offset, so offsets never change; a batch whose
// records all survive is copied byte for byte.
//
// Crash safety (format.h): a group's output is written to <base>.log.cleaned
// and fsynced, then renamed to <base>.log.swap (the commit point), then the
// replaced segments are removed and the swap file renamed to <base>.log.
// CompleteInterruptedSwaps, run on open, finishes or discards whatever a crash
// interrupted.
//
// A pass runs in two phases so appends are not stalled: WriteCleanedSegments
// (the long part) reads a snapshot of inactive segments without the log's
// lock; SwapInCleanedSegments commits under it.
#ifndef RILL_LOG_CLEANER_H_
#define RILL_LOG_CLEANER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "log/segment.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"

namespace rill::log {

// CleanSource is a snapshot of one inactive segment to compact, taken under
// the log's lock so the cleaner can read it without the lock.
struct CleanSource {
  Offset base;
  Offset next_offset;
  uint64_t size;
  int64_t max_timestamp_ms;
  std::shared_ptr<io::File> file;
};

struct CleanerInput {
  io::FileSystem& fs;
  const std::string& dir;
  const LogConfig& config;
  int64_t now_ms;
  // Consecutive inactive segments, oldest first.
  std::vector<CleanSource> sources;
};

// PreparedGroup: a compacted group written to <base>.log.cleaned (fsynced),
// not yet swapped in.
struct PreparedGroup {
  Offset base;
  std::vector<Offset> replaced;
  uint64_t bytes;
};

// WriteCleanedSegments is the long phase of a pass, run without the log's
// lock: it builds the key map and writes every group's .cleaned file.
// Nothing the log reads changes.
absl::StatusOr<std::vector<PreparedGroup>> WriteCleanedSegments(
    const CleanerInput& input, CompactionStats* stats);

// DiscardCleanedSegments removes the .cleaned files of an abandoned pass.
void DiscardCleanedSegments(io::FileSystem& fs, const std::string& dir,
                            const std::vector<PreparedGroup>& groups);

// CleanedGroup: one new segment and the bases of the segments it replaced.
struct CleanedGroup {
  std::vector<Offset> replaced;
  std::unique_ptr<Segment> segment;
};

// SwapInCleanedSegments commits prepared groups (under the log's lock):
// .cleaned -> .swap (the commit point), replaced segments removed, .swap ->
// .log, and the new segments opened with rebuilt indexes.
absl::StatusOr<std::vector<CleanedGroup>> SwapInCleanedSegments(
    io::FileSystem& fs, const std::string& dir, const LogConfig& config,
    int64_t now_ms, const std::vector<PreparedGroup>& groups);

// CompleteInterruptedSwaps removes *.cleaned files and finishes the swap of
// every *.log.swap file in `dir`.
absl::Status CompleteInterruptedSwaps(io::FileSystem& fs,
                                      const std::string& dir);

}  // namespace rill::log

#endif  // RILL_LOG_CLEANER_H_
