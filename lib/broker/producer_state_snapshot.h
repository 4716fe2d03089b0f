// Producer-state snapshots: encoding (layout in broker/format.h) and the
// snapshot files of one partition directory.
//
//   RETURN_IF_ERROR(WriteProducerSnapshot(
//       fs, dir, log_end, EncodeProducerSnapshot(log_end, table)));
//   ASSIGN_OR_RETURN(std::optional<LoadedSnapshot> s,
//                    LoadNewestProducerSnapshot(fs, dir, log_end));
#ifndef RILL_BROKER_PRODUCER_STATE_SNAPSHOT_H_
#define RILL_BROKER_PRODUCER_STATE_SNAPSHOT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/producer_state.h"
#include "rill/io/file_system.h"
#include "rill/types.h"

namespace rill::broker {

// EncodeProducerSnapshot serializes `table` as the state at `offset`.
std::string EncodeProducerSnapshot(Offset offset,
                                   const ProducerStateTable& table);

// LoadedSnapshot is a decoded snapshot.
struct LoadedSnapshot {
  Offset offset;
  ProducerStateTable table;
};

// DecodeProducerSnapshot parses a snapshot file's bytes; kDataLoss when they
// are not a whole, intact snapshot.
absl::StatusOr<LoadedSnapshot> DecodeProducerSnapshot(std::string_view bytes);

// ProducerSnapshotFileName is "<20-digit offset>.snapshot".
std::string ProducerSnapshotFileName(Offset offset);
// ParseProducerSnapshotFileName reads the offset of a snapshot file name, or
// nullopt for any other name.
std::optional<Offset> ParseProducerSnapshotFileName(std::string_view name);

// ListProducerSnapshots returns the offsets of the snapshots in `dir`,
// ascending.
absl::StatusOr<std::vector<Offset>> ListProducerSnapshots(
    io::FileSystem& fs, const std::string& dir);

// WriteProducerSnapshot writes `encoded` (EncodeProducerSnapshot(offset,
// ...)) as the snapshot at `offset`, atomically, then deletes all but the
// newest format::kSnapshotsKept snapshots (and any newer than `offset`).
// Callers serialize writes to one directory.
absl::Status WriteProducerSnapshot(io::FileSystem& fs, const std::string& dir,
                                   Offset offset, std::string_view encoded);

// LoadNewestProducerSnapshot returns the newest intact snapshot at or below
// `max_offset` (the log end), deleting newer ones and corrupt ones on the
// way, and any leftover "*.snapshot.tmp"; nullopt when none is left.
absl::StatusOr<std::optional<LoadedSnapshot>> LoadNewestProducerSnapshot(
    io::FileSystem& fs, const std::string& dir, Offset max_offset);

}  // namespace rill::broker

#endif  // RILL_BROKER_PRODUCER_STATE_SNAPSHOT_H_
