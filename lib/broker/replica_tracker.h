// ReplicaTracker: what a partition leader knows of its followers — how far
// each has fetched and when it was last caught up — and what follows from
// it: the high watermark and the ISR the leader should ask for.
//
//   tracker.BecomeLeader(self, replicas, isr, now_ms);
//   tracker.RecordFetch(follower, fetch_offset, leader_end, now_ms);
//   Offset hw = tracker.HighWatermark(leader_end);
//   if (auto isr = tracker.WantedIsr(hw, epoch_start, now_ms, lag_ms)) ...
//
// Kafka's rules (ReplicaManager/Partition): a follower is caught up when it
// fetched from the leader's log end; it falls out of the ISR when it has not
// been caught up for replica.lag.time.max.ms; it joins when it has fetched
// past the high watermark and the start of the leader's epoch. While an ISR
// change is in flight the high watermark counts the larger of the two sets
// (KIP-497's maximal ISR), so it never runs ahead of either.
#ifndef RILL_BROKER_REPLICA_TRACKER_H_
#define RILL_BROKER_REPLICA_TRACKER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "rill/types.h"

namespace rill::broker {

// ReplicaTracker is owned by a Partition and used under its replica lock.
// Not thread-safe.
class ReplicaTracker {
 public:
  // BecomeLeader forgets every follower's progress (it is only trusted from
  // fetches in this epoch); each counts as caught up now, so a new leader
  // does not drop followers before they had a chance to fetch.
  void BecomeLeader(NodeId self, std::vector<NodeId> replicas,
                    std::vector<NodeId> isr, int64_t now_ms);
  // SetIsr takes a committed ISR (and replicas) from metadata; a pending
  // change is over. A follower that left the ISR has its progress
  // forgotten: it may have left because it crashed and lost what it had
  // fetched, so only a fetch from now on may bring it back (Kafka guards
  // the same case with broker epochs, KIP-903).
  void SetIsr(std::vector<NodeId> replicas, std::vector<NodeId> isr,
              int64_t now_ms);
  // RecordFetch notes a follower's fetch from `fetch_offset` when the
  // leader's log ended at `leader_end`. False for a non-replica.
  bool RecordFetch(NodeId replica, Offset fetch_offset, Offset leader_end,
                   int64_t now_ms);
  // HighWatermark is the smallest log end over the maximal ISR (the
  // leader's is `leader_end`); a member not heard from in this epoch holds
  // it at -1.
  Offset HighWatermark(Offset leader_end) const;
  // WantedIsr is the ISR the leader should ask for now, if it differs from
  // the committed one and no change is pending: members not caught up for
  // `lag_ms` leave, replicas at or past both `high_watermark` and
  // `epoch_start` join. The leader always stays.
  std::optional<std::vector<NodeId>> WantedIsr(Offset high_watermark,
                                               Offset epoch_start,
                                               int64_t now_ms,
                                               int64_t lag_ms) const;
  void SetPending(std::vector<NodeId> isr) { pending_isr_ = std::move(isr); }
  void ClearPending() { pending_isr_.reset(); }
  bool has_pending() const { return pending_isr_.has_value(); }

  const std::vector<NodeId>& isr() const { return isr_; }
  const std::vector<NodeId>& replicas() const { return replicas_; }

 private:
  struct Follower {
    Offset log_end = Offset(-1);
    int64_t last_caught_up_ms = 0;
    int64_t last_fetch_ms = -1;
    Offset leader_end_at_last_fetch = Offset(-1);
  };
  bool InMaximalIsr(NodeId id) const;

  NodeId self_ = NodeId(-1);
  std::vector<NodeId> replicas_;
  std::vector<NodeId> isr_;
  std::optional<std::vector<NodeId>> pending_isr_;
  absl::flat_hash_map<NodeId, Follower> followers_;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_REPLICA_TRACKER_H_
