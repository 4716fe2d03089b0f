// The per-log checkpoint file: recovery point and log start offset.
#ifndef RILL_LOG_CHECKPOINT_H_
#define RILL_LOG_CHECKPOINT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/io/file_system.h"
#include "rill/types.h"

namespace rill::log {

// Checkpoint is what the checkpoint file records (format in format.h).
struct Checkpoint {
  Offset recovery_point;
  Offset log_start_offset;
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// ReadCheckpoint returns the checkpoint in `dir`, nullopt if there is none
// or it is unreadable (a torn or corrupt checkpoint only costs a longer
// recovery scan, so it is not an error).
absl::StatusOr<std::optional<Checkpoint>> ReadCheckpoint(
    io::FileSystem& fs, const std::string& dir);

// WriteCheckpoint replaces the checkpoint in `dir` atomically and durably.
absl::Status WriteCheckpoint(io::FileSystem& fs, const std::string& dir,
                             const Checkpoint& checkpoint);

}  // namespace rill::log

#endif  // RILL_LOG_CHECKPOINT_H_
