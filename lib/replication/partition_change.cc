#include "replication/partition_change.h"

#include <algorithm>
#include <utility>

#include "absl/algorithm/container.h"

namespace rill::replication::internal {

std::optional<PartitionChange> ChangeTo(const PartitionState& current,
                                        NodeId leader, std::vector<NodeId> isr,
                                        bool unclean) {
  // Replica order makes equal ISRs compare equal, whatever order a leader
  // sent them in.
  std::vector<NodeId> ordered;
  for (NodeId r : current.replicas) {
    if (absl::c_linear_search(isr, r)) ordered.push_back(r);
  }
  if (leader == current.leader && ordered == current.isr) return std::nullopt;
  PartitionChange change;
  change.state = current;
  change.state.leader = leader;
  change.state.isr = std::move(ordered);
  if (leader != current.leader) change.state.leader_epoch += 1;
  change.state.partition_epoch += 1;
  change.leader_elected = leader != current.leader && leader != kNoLeader;
  change.unclean = unclean;
  change.isr_shrunk = change.state.isr.size() < current.isr.size();
  change.isr_expanded = change.state.isr.size() > current.isr.size();
  return change;
}

std::optional<PartitionChange> Reelect(const PartitionState& current,
                                       IsLive is_live, bool unclean_allowed) {
  std::vector<NodeId> isr;
  for (NodeId r : current.isr) {
    if (is_live(r)) isr.push_back(r);
  }
  if (isr.empty()) isr = current.isr;  // the last members stay

  auto leads = [&](NodeId r) {
    return is_live(r) && absl::c_linear_search(isr, r);
  };
  if (current.has_leader() && leads(current.leader)) {
    return ChangeTo(current, current.leader, std::move(isr));
  }
  for (NodeId r : current.replicas) {
    if (leads(r)) return ChangeTo(current, r, std::move(isr));
  }
  if (unclean_allowed) {
    for (NodeId r : current.replicas) {
      if (is_live(r)) return ChangeTo(current, r, {r}, /*unclean=*/true);
    }
  }
  return ChangeTo(current, kNoLeader, std::move(isr));
}

std::optional<PartitionChange> ElectPreferred(const PartitionState& current,
                                              IsLive is_live) {
  if (current.replicas.empty()) return std::nullopt;
  const NodeId preferred = current.replicas.front();
  if (current.leader == preferred || !is_live(preferred) ||
      !absl::c_linear_search(current.isr, preferred)) {
    return std::nullopt;
  }
  return ChangeTo(current, preferred, current.isr);
}

}  // namespace rill::replication::internal
