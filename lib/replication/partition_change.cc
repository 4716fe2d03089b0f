#include "replication/partition_change.h"

#include <algorithm>
#include <utility>

#include "absl/algorithm/container.h"

namespace rill::replication::internal {
namespace {

// InReplicaOrder keeps the members of `set` in `replicas` order, so equal
// sets compare equal whatever order they came in.
std::vector<NodeId> InReplicaOrder(const std::vector<NodeId>& replicas,
                                   const std::vector<NodeId>& set) {
  std::vector<NodeId> ordered;
  for (NodeId r : replicas) {
    if (absl::c_linear_search(set, r)) ordered.push_back(r);
  }
  return ordered;
}

// NextElr: below min.insync.replicas, members leaving the ISR join the
// ELR (they have everything committed, since nothing was committed without
// them); at or above it the ELR is not needed. Never the ISR's members.
std::vector<NodeId> NextElr(const PartitionState& current,
                            const std::vector<NodeId>& isr,
                            const ElectionRules& rules) {
  const size_t min_isr = static_cast<size_t>(
      std::clamp<int32_t>(rules.min_insync_replicas, 1,
                          static_cast<int32_t>(current.replicas.size())));
  if (isr.size() >= min_isr) return {};
  std::vector<NodeId> elr;
  for (NodeId r : current.replicas) {
    if (absl::c_linear_search(isr, r)) continue;
    if (absl::c_linear_search(current.elr, r) ||
        absl::c_linear_search(current.isr, r)) {
      elr.push_back(r);
    }
  }
  return elr;
}

}  // namespace

std::optional<PartitionChange> ChangeTo(const PartitionState& current,
                                        NodeId leader, std::vector<NodeId> isr,
                                        const ElectionRules& rules,
                                        bool unclean) {
  std::vector<NodeId> ordered = InReplicaOrder(current.replicas, isr);
  std::vector<NodeId> elr =
      unclean ? std::vector<NodeId>{} : NextElr(current, ordered, rules);
  if (leader == current.leader && ordered == current.isr &&
      elr == current.elr) {
    return std::nullopt;
  }
  PartitionChange change;
  change.state = current;
  change.state.leader = leader;
  change.state.isr = std::move(ordered);
  change.state.elr = std::move(elr);
  if (leader != current.leader) change.state.leader_epoch += 1;
  change.state.partition_epoch += 1;
  change.leader_elected = leader != current.leader && leader != kNoLeader;
  change.unclean = unclean;
  change.isr_shrunk = change.state.isr.size() < current.isr.size();
  change.isr_expanded = change.state.isr.size() > current.isr.size();
  return change;
}

std::optional<PartitionChange> Reelect(const PartitionState& current,
                                       IsLive is_live,
                                       const ElectionRules& rules) {
  std::vector<NodeId> isr;
  for (NodeId r : current.isr) {
    if (is_live(r)) isr.push_back(r);
  }
  if (isr.empty()) isr = current.isr;  // the last members stay

  auto leads = [&](NodeId r) {
    return is_live(r) && absl::c_linear_search(isr, r);
  };
  if (current.has_leader() && leads(current.leader)) {
    return ChangeTo(current, current.leader, std::move(isr), rules);
  }
  for (NodeId r : current.replicas) {
    if (leads(r)) return ChangeTo(current, r, std::move(isr), rules);
  }
  for (NodeId r : current.replicas) {
    if (is_live(r) && absl::c_linear_search(current.elr, r)) {
      return ChangeTo(current, r, {r}, rules);
    }
  }
  if (rules.unclean_allowed) {
    for (NodeId r : current.replicas) {
      if (is_live(r)) return ChangeTo(current, r, {r}, rules, /*unclean=*/true);
    }
  }
  return ChangeTo(current, kNoLeader, std::move(isr), rules);
}

std::optional<PartitionChange> ElectPreferred(const PartitionState& current,
                                              IsLive is_live,
                                              const ElectionRules& rules) {
  if (current.replicas.empty()) return std::nullopt;
  const NodeId preferred = current.replicas.front();
  if (current.leader == preferred || !is_live(preferred) ||
      !absl::c_linear_search(current.isr, preferred)) {
    return std::nullopt;
  }
  return ChangeTo(current, preferred, current.isr, rules);
}

std::optional<PartitionChange> ForgetUncleanReplica(
    const PartitionState& current, NodeId broker, const ElectionRules& rules) {
  if (current.leader == broker) return std::nullopt;
  const bool in_isr = absl::c_linear_search(current.isr, broker);
  const bool in_elr = absl::c_linear_search(current.elr, broker);
  if (!in_isr && !in_elr) return std::nullopt;
  // Someone else who holds everything committed: the ISR's other members,
  // or the ELR's.
  const bool other_candidate = current.isr.size() + current.elr.size() > 1;
  if (!other_candidate) return std::nullopt;
  std::vector<NodeId> isr;
  for (NodeId r : current.isr) {
    if (r != broker) isr.push_back(r);
  }
  std::optional<PartitionChange> change =
      ChangeTo(current, current.leader, std::move(isr), rules);
  if (change) {
    std::erase(change->state.elr, broker);
  } else if (in_elr) {
    change = PartitionChange{.state = current};
    std::erase(change->state.elr, broker);
    change->state.partition_epoch += 1;
  }
  return change;
}

}  // namespace rill::replication::internal
