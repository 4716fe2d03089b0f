// partition_loader.h — rebuilds the groups of one __consumer_offsets
// partition from its records.
//
//   ASSIGN_OR_RETURN(auto loaded, ReplayPartition(*group_log, partition));
//   for (auto& [group_id, state] : loaded) { ... state.metadata ... }
#ifndef RILL_GROUP_PARTITION_LOADER_H_
#define RILL_GROUP_PARTITION_LOADER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "group/group.h"
#include "group/group_records.h"
#include "rill/group/group_log.h"

namespace rill::group {

// LoadedGroup is what a partition's records say about one group: its last
// metadata record (unless deleted) and its live committed offsets.
struct LoadedGroup {
  std::optional<GroupMetadataValue> metadata;
  absl::flat_hash_map<TopicPartition, StoredOffset> offsets;
};

// ReplayPartition reads `partition` from its log start to its end and
// applies every record in order (tombstones delete). Groups left with
// neither metadata nor offsets are omitted. Control batches are skipped, as
// are transactional batches (transactional offset commits are not written
// by this coordinator). kDataLoss for records that do not decode; read
// errors as the log returns them.
absl::StatusOr<std::map<std::string, LoadedGroup>> ReplayPartition(
    GroupLog& log, int32_t partition);

}  // namespace rill::group

#endif  // RILL_GROUP_PARTITION_LOADER_H_
