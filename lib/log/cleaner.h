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

struct CleanerInput {
  io::FileSystem& fs;
  const std::string& dir;
  const LogConfig& config;
  int64_t now_ms;
  // Consecutive inactive segments, oldest first.
  std::vector<std::shared_ptr<Segment>> segments;
};

// CleanedGroup: one new segment and the bases of the segments it replaced.
struct CleanedGroup {
  std::vector<Offset> replaced;
  std::unique_ptr<Segment> segment;
};

// CleanSegments compacts input.segments (already swapped in on disk when it
// returns) and adds to *stats.
absl::StatusOr<std::vector<CleanedGroup>> CleanSegments(
    const CleanerInput& input, CompactionStats* stats);

// CompleteInterruptedSwaps removes *.cleaned files and finishes the swap of
// every *.log.swap file in `dir`.
absl::Status CompleteInterruptedSwaps(io::FileSystem& fs,
                                      const std::string& dir);

}  // namespace rill::log

#endif  // RILL_LOG_CLEANER_H_
