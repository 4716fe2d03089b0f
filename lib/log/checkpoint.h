// The per-log checkpoint files: recovery point and log start offset
// (checkpoint), and where each leader epoch begins (leader-epoch-checkpoint).
// Formats in format.h.
#ifndef RILL_LOG_CHECKPOINT_H_
#define RILL_LOG_CHECKPOINT_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "log/leader_epoch_cache.h"
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

// ReadLeaderEpochCheckpoint returns the entries of the
// leader-epoch-checkpoint in `dir`, nullopt if there is none or it is
// malformed (the log then rebuilds the entries from its batches).
absl::StatusOr<std::optional<std::vector<EpochEntry>>>
ReadLeaderEpochCheckpoint(io::FileSystem& fs, const std::string& dir);

// WriteLeaderEpochCheckpoint replaces the leader-epoch-checkpoint in `dir`
// atomically and durably.
absl::Status WriteLeaderEpochCheckpoint(io::FileSystem& fs,
                                        const std::string& dir,
                                        std::span<const EpochEntry> entries);

}  // namespace rill::log

#endif  // RILL_LOG_CHECKPOINT_H_
