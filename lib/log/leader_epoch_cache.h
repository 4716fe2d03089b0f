// LeaderEpochCache: where each leader epoch begins in a log (Kafka's
// LeaderEpochFileCache), so a leader can answer OffsetForLeaderEpoch and a
// returning follower can find where its log diverged.
#ifndef RILL_LOG_LEADER_EPOCH_CACHE_H_
#define RILL_LOG_LEADER_EPOCH_CACHE_H_

#include <optional>
#include <utility>
#include <vector>

#include "rill/log/log.h"
#include "rill/types.h"

namespace rill::log {

// EpochEntry says that leader `epoch` wrote the log from `start_offset`.
struct EpochEntry {
  LeaderEpoch epoch;
  Offset start_offset;
  friend bool operator==(const EpochEntry&, const EpochEntry&) = default;
};

// LeaderEpochCache is an ordered list of EpochEntry, strictly increasing in
// both epoch and start offset; an epoch ends where the next one starts (the
// latest at the log end). A value type: owned by its log, which guards it
// with its own mutex and persists it (leader-epoch-checkpoint). Not
// thread-safe.
class LeaderEpochCache {
 public:
  LeaderEpochCache() = default;
  // LeaderEpochCache takes entries that are already strictly increasing
  // (ReadLeaderEpochCheckpoint checks that).
  explicit LeaderEpochCache(std::vector<EpochEntry> entries)
      : entries_(std::move(entries)) {}

  // WouldChange tells whether Assign(epoch, start_offset) changes anything:
  // a valid epoch that differs from the latest, or the latest epoch starting
  // earlier than recorded.
  bool WouldChange(LeaderEpoch epoch, Offset start_offset) const;
  // Assign records that `epoch` writes from `start_offset` (a batch of it was
  // appended there). As Kafka's assign: entries that would break the order
  // (epoch >= `epoch` or start >= `start_offset`) are dropped first, so the
  // cache always describes the log's tail. A negative epoch (a batch written
  // without one) changes nothing. Returns whether the cache changed.
  bool Assign(LeaderEpoch epoch, Offset start_offset);
  // TruncateFromEnd drops the entries starting at or after `end_offset` (the
  // log was truncated to end there).
  bool TruncateFromEnd(Offset end_offset);
  // TruncateFromStart drops the entries wholly before `start_offset` and
  // moves the one covering it up to start there (the log start advanced).
  bool TruncateFromStart(Offset start_offset);
  bool Clear();

  // LatestEpoch is the epoch of the last entry, if any.
  std::optional<LeaderEpoch> LatestEpoch() const;
  // EpochFor is the epoch that wrote `offset` (the last entry starting at or
  // before it), if any.
  std::optional<LeaderEpoch> EpochFor(Offset offset) const;
  // EndOffsetFor answers OffsetForLeaderEpoch for `epoch` on a log ending at
  // `log_end_offset`, with Kafka's rules (KIP-101, KIP-279, KIP-320):
  //  - the latest epoch: (it, log_end_offset);
  //  - an epoch between known ones: (the largest known epoch <= it, the start
  //    of the first known epoch above it);
  //  - below the earliest known epoch: (it, the earliest epoch's start), so a
  //    follower truncates to where the leader's history begins;
  //  - undefined (negative), above the latest, or an empty cache: (-1, -1).
  EpochEndOffset EndOffsetFor(LeaderEpoch epoch, Offset log_end_offset) const;

  const std::vector<EpochEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<EpochEntry> entries_;
};

}  // namespace rill::log

#endif  // RILL_LOG_LEADER_EPOCH_CACHE_H_
