#include "replication/replica_assignment.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "rill/error.h"

namespace rill::replication::internal {

std::vector<std::vector<NodeId>> AssignReplicas(
    const std::vector<NodeId>& brokers, int32_t first_partition,
    int32_t num_partitions, int32_t replication_factor, int32_t start_index,
    int32_t shift) {
  const auto n = static_cast<int32_t>(brokers.size());
  std::vector<std::vector<NodeId>> out;
  out.reserve(num_partitions);
  for (int32_t p = first_partition; p < first_partition + num_partitions; ++p) {
    // A new round of leaders moves the followers one further away, so the
    // same pairs don't repeat round after round.
    const int32_t round_shift = shift + p / n;
    const int32_t leader = (p + start_index) % n;
    std::vector<NodeId> replicas = {brokers[leader]};
    for (int32_t j = 0; j < replication_factor - 1; ++j) {
      // Offsets 1..n-1 from the leader: never the leader itself, and
      // distinct for distinct j (j < n - 1).
      const int32_t offset = 1 + (round_shift + j) % (n - 1);
      replicas.push_back(brokers[(leader + offset) % n]);
    }
    out.push_back(std::move(replicas));
  }
  return out;
}

absl::Status ValidateAssignment(
    const std::vector<std::vector<NodeId>>& assignment,
    int32_t replication_factor, const ClusterImage& image) {
  auto invalid = [](int32_t partition, std::string_view why) {
    return MakeError(
        ErrorReason::kInvalidReplicaAssignment,
        absl::StrCat("replica assignment of partition ", partition, ": ",
                     absl::string_view(why.data(), why.size())));
  };
  for (size_t i = 0; i < assignment.size(); ++i) {
    const auto p = static_cast<int32_t>(i);
    const std::vector<NodeId>& replicas = assignment[i];
    if (replicas.empty()) return invalid(p, "no replicas");
    if (replication_factor == -1) {
      replication_factor = static_cast<int32_t>(replicas.size());
    }
    if (static_cast<int32_t>(replicas.size()) != replication_factor) {
      return invalid(p, absl::StrCat(replicas.size(), " replicas, not ",
                                     replication_factor));
    }
    std::set<NodeId> distinct(replicas.begin(), replicas.end());
    if (distinct.size() != replicas.size()) {
      return invalid(p, "a broker appears twice");
    }
    bool any_live = false;
    for (NodeId r : replicas) {
      if (image.FindBroker(r) == nullptr) {
        return invalid(
            p, absl::StrCat("broker ", r.value(), " is not registered"));
      }
      any_live = any_live || image.IsLive(r);
    }
    if (!any_live) return invalid(p, "every broker is fenced");
  }
  return absl::OkStatus();
}

PartitionState InitialState(std::vector<NodeId> replicas,
                            const ClusterImage& image) {
  PartitionState state;
  for (NodeId r : replicas) {
    if (image.IsLive(r)) state.isr.push_back(r);
  }
  state.leader = state.isr.empty() ? kNoLeader : state.isr.front();
  state.replicas = std::move(replicas);
  return state;
}

}  // namespace rill::replication::internal
