// Scans of a partition's Log that need only batch headers (rebuilding
// producer state) or one batch's records (the max-timestamp lookup).
#ifndef RILL_BROKER_LOG_SCAN_H_
#define RILL_BROKER_LOG_SCAN_H_

#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "rill/log/log.h"
#include "rill/record/record_batch.h"

namespace rill::broker {

// ForEachBatchHeader calls `fn` with the header of every batch of `log` that
// ends at or after `from` and starts below `to`, in offset order, reading
// only the 61-byte headers (never the records). Stops at fn's first error.
absl::Status ForEachBatchHeader(
    Log& log, Offset from, Offset to,
    absl::FunctionRef<absl::Status(const record::RecordBatchHeader&)> fn);

// FindMaxTimestamp returns the offset and timestamp of the first record
// holding the largest timestamp among the batches starting below `to`
// (ListOffsets with timestamp -3, KIP-734), or nullopt for an empty range.
// Reads every batch header, then decodes the one batch that holds it.
absl::StatusOr<std::optional<TimestampOffset>> FindMaxTimestamp(Log& log,
                                                                Offset to);

}  // namespace rill::broker

#endif  // RILL_BROKER_LOG_SCAN_H_
