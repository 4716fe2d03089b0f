// The election rules: how one partition's leader and ISR change when
// brokers come and go, when the preferred leader is due back, and when the
// leader asks for a new ISR. Pure functions of a PartitionState; the
// controller decides when to call them and writes what they return.
#ifndef RILL_REPLICATION_PARTITION_CHANGE_H_
#define RILL_REPLICATION_PARTITION_CHANGE_H_

#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "rill/replication/cluster_metadata.h"
#include "rill/types.h"

namespace rill::replication::internal {

// PartitionChange is a partition's next state and what kind of change it
// was, for the controller's counters.
struct PartitionChange {
  PartitionState state;
  // The leader moved to a live broker (clean or not).
  bool leader_elected = false;
  // The new leader was not in the ISR: acknowledged records may be lost.
  bool unclean = false;
  bool isr_shrunk = false;
  bool isr_expanded = false;
};

// IsLive says whether a broker may lead and stay in ISRs.
using IsLive = absl::FunctionRef<bool(NodeId)>;

// ElectionRules are a topic's settings the rules depend on.
struct ElectionRules {
  // min.insync.replicas, capped at the replica count. Below it the leader
  // commits nothing more (the high watermark stays), so replicas that leave
  // the ISR then still hold everything committed: they become eligible
  // leader replicas (ELR, KIP-966).
  int32_t min_insync_replicas = 1;
  // unclean.leader.election.enable.
  bool unclean_allowed = false;
};

// Reelect brings a partition in line with which brokers are live:
//  - dead members leave the ISR, but the ISR never empties this way: when
//    all are dead they stay, so the last one can come back as a clean
//    leader;
//  - a live leader in the ISR keeps leading; otherwise the first replica
//    (in `replicas` order) that is live and in the ISR leads;
//  - none: the first live eligible leader replica leads, alone in the ISR;
//  - none: with `unclean_allowed` the first live replica leads, alone in
//    the ISR (an unclean election); without, the partition is offline.
// Returns nullopt when nothing changes.
std::optional<PartitionChange> Reelect(const PartitionState& current,
                                       IsLive is_live,
                                       const ElectionRules& rules);

// ElectPreferred moves leadership to replicas[0] when it is live and in
// the ISR and not leading already; nullopt otherwise.
std::optional<PartitionChange> ElectPreferred(const PartitionState& current,
                                              IsLive is_live,
                                              const ElectionRules& rules);

// ForgetUncleanReplica drops a broker that restarted after an unclean
// shutdown (it may have lost records it had acknowledged) from the ISR and
// the ELR, when another replica there can lead instead; nullopt otherwise.
// The broker must not lead (it was fenced when it died).
std::optional<PartitionChange> ForgetUncleanReplica(
    const PartitionState& current, NodeId broker, const ElectionRules& rules);

// ChangeTo returns `current` with `leader` and `isr` (put in replica
// order) and the ELR that follows (see ElectionRules), the leader epoch
// bumped if the leader changed and the partition epoch bumped; nullopt
// when nothing changes. `unclean` marks the change, and empties the ELR:
// an unclean leader's log is the new truth.
std::optional<PartitionChange> ChangeTo(const PartitionState& current,
                                        NodeId leader, std::vector<NodeId> isr,
                                        const ElectionRules& rules,
                                        bool unclean = false);

}  // namespace rill::replication::internal

#endif  // RILL_REPLICATION_PARTITION_CHANGE_H_
