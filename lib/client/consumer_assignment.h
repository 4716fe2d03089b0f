// client/consumer_assignment.h — what a consumer reads and where it is:
// Kafka's SubscriptionState. The subscription (topics, or a manual
// assignment), the assigned partitions, and per partition its position, its
// paused flag and the bookkeeping that keeps stale fetch answers out.
#ifndef RILL_CLIENT_CONSUMER_ASSIGNMENT_H_
#define RILL_CLIENT_CONSUMER_ASSIGNMENT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "rill/types.h"

namespace rill::client {

// PositionSource says how a partition's position is (to be) found.
enum class PositionSource {
  kKnown,       // `position` is set
  kCommitted,   // look up the group's committed offset, else reset
  kReset,       // apply auto.offset.reset (nothing committed)
  kOutOfRange,  // apply auto.offset.reset (a fetch said out of range)
};

// PartitionState is one assigned partition.
struct PartitionState {
  // Records of this partition point at this TopicPartition, so it lives as
  // long as the ConsumerRecords that hold it.
  std::shared_ptr<const TopicPartition> tp;
  PositionSource source = PositionSource::kCommitted;
  // The offset of the next record Poll returns (when source is kKnown);
  // for kOutOfRange, the offset that was out of range.
  Offset position = Offset(-1);
  // Leader epoch of the last record returned (committed with the offset).
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
  bool paused = false;

  // Moves whenever the position changes by anything but consumption (seek,
  // reset, pause): fetch answers and buffered data from an older fetch
  // generation are dropped.
  uint64_t fetch_generation = 0;
  // The fetch reading this partition now (0: none).
  uint64_t inflight_fetch = 0;
  // A fetch answer for this partition is buffered, not yet returned.
  bool buffered = false;
  // Fetching and position lookups wait until then after an error
  // (retry.backoff.ms).
  absl::Time retry_at = absl::InfinitePast();
  // Where fetches go: the leader and its epoch as metadata last showed
  // them; -1 until looked up, and again after a leader error.
  NodeId leader = NodeId(-1);
  LeaderEpoch current_leader_epoch = LeaderEpoch(-1);

  // From the last fetch answer (-1 before one).
  Offset high_watermark = Offset(-1);
  Offset last_stable_offset = Offset(-1);
  Offset log_start_offset = Offset(-1);

  bool has_position() const { return source == PositionSource::kKnown; }
};

// ConsumerAssignment is owned by a consumer and used only by its polling
// thread (the consumer is not thread-safe); no locking.
class ConsumerAssignment {
 public:
  enum class Mode { kNone, kManual, kSubscribed };

  Mode mode() const { return mode_; }
  const std::vector<std::string>& topics() const { return topics_; }

  // Subscribe sets subscribed mode with `topics` (sorted, deduplicated);
  // returns whether the topic set changed.
  bool Subscribe(std::vector<std::string> topics);
  // SetManual sets manual mode.
  void SetManual() { mode_ = Mode::kManual; }
  // Reset drops the subscription and every partition.
  void Reset();

  // Assign makes `partitions` the assignment. Partitions already assigned
  // keep their state; new ones start at `source`.
  void Assign(const std::vector<TopicPartition>& partitions,
              PositionSource source);
  // Remove drops `partitions` from the assignment.
  void Remove(const std::vector<TopicPartition>& partitions);

  // Partitions lists the assignment in (topic, partition) order.
  std::vector<TopicPartition> Partitions() const;
  std::vector<TopicPartition> PausedPartitions() const;
  bool empty() const { return partitions_.empty(); }

  // Find returns the state of an assigned partition, or null.
  PartitionState* Find(const TopicPartition& tp);
  const PartitionState* Find(const TopicPartition& tp) const;

  std::map<TopicPartition, PartitionState>& states() { return partitions_; }
  const std::map<TopicPartition, PartitionState>& states() const {
    return partitions_;
  }

  // Seek moves a partition's position (and invalidates its fetches).
  static void Seek(PartitionState& state, Offset offset,
                   LeaderEpoch epoch = LeaderEpoch(-1));
  // RequireLookup forgets a partition's position: it is found again from
  // `source` (kReset or kOutOfRange at `offset`).
  static void RequireLookup(PartitionState& state, PositionSource source,
                            Offset offset = Offset(-1));
  // Invalidate drops in-flight and buffered fetch data of a partition.
  static void Invalidate(PartitionState& state);

 private:
  Mode mode_ = Mode::kNone;
  std::vector<std::string> topics_;
  std::map<TopicPartition, PartitionState> partitions_;
};

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_ASSIGNMENT_H_
