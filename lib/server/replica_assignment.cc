#include "server/replica_assignment.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "rill/error.h"

namespace rill::server {

absl::Status ValidateReplicas(const std::vector<int32_t>& broker_ids,
                              NodeId node) {
  if (broker_ids.empty()) {
    return MakeError(ErrorReason::kInvalidReplicaAssignment,
                     "the manual partition assignment includes an empty "
                     "replica list");
  }
  std::vector<int32_t> sorted = broker_ids;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] != node.value()) {
      return MakeError(
          ErrorReason::kInvalidReplicaAssignment,
          absl::StrCat("the manual partition assignment includes broker ",
                       sorted[i],
                       ", but no such broker is registered (the "
                       "cluster is broker ",
                       node.value(), " alone)"));
    }
    if (i > 0 && sorted[i] == sorted[i - 1]) {
      return MakeError(
          ErrorReason::kInvalidReplicaAssignment,
          absl::StrCat("the manual partition assignment includes broker ",
                       sorted[i], " more than once"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePartitionIndexes(const std::vector<int32_t>& partitions) {
  std::vector<int32_t> sorted = partitions;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i] == sorted[i - 1]) {
      return MakeError(
          ErrorReason::kInvalidReplicaAssignment,
          absl::StrCat("found multiple manual partition assignments for "
                       "partition ",
                       sorted[i]));
    }
    if (sorted[i] != static_cast<int32_t>(i)) {
      return MakeError(ErrorReason::kInvalidReplicaAssignment,
                       "partitions should be a consecutive 0-based integer "
                       "sequence");
    }
  }
  return absl::OkStatus();
}

}  // namespace rill::server
