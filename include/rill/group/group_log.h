// rill/group/group_log.h — where a group coordinator keeps its state.
//
// Committed offsets and group metadata are records in the partitions of the
// internal `__consumer_offsets` topic, in Kafka's key/value formats, so they
// survive restarts like data does and replicate like data does. The
// coordinator reaches those partitions only through this seam: the broker
// implements it over its own partitions (so writes follow the topic's acks
// and replication); tests implement it over plain Logs.
#ifndef RILL_GROUP_GROUP_LOG_H_
#define RILL_GROUP_GROUP_LOG_H_

#include <cstdint>
#include <span>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "rill/log/log.h"
#include "rill/types.h"

namespace rill {

// GroupLog is the offsets topic as the coordinator sees it. Implementations
// are thread-safe; the coordinator may call from any thread.
class GroupLog {
 public:
  virtual ~GroupLog() = default;

  // num_partitions is the offsets topic's partition count
  // (offsets.topic.num.partitions); groups map to partitions by
  // GroupCoordinator::PartitionFor.
  virtual int32_t num_partitions() const = 0;

  // Append writes `batch` (one RecordBatch v2 the coordinator built; it may
  // be rewritten in place) to `partition`, then calls `done` with its base
  // offset once the write is as durable as acks=all makes it. `done` may run
  // before Append returns, or later on another thread.
  using AppendCallback = absl::AnyInvocable<void(absl::StatusOr<Offset>)>;
  virtual void Append(int32_t partition, std::span<char> batch,
                      AppendCallback done) = 0;

  // Read returns the stored batches of `partition` from `offset` on (as
  // Log::Read, at least one whole batch, up to the high watermark); the
  // coordinator replays them, from log_start_offset(partition), when it
  // loads a partition.
  virtual absl::StatusOr<LogReadResult> Read(int32_t partition, Offset offset,
                                             int64_t max_bytes) = 0;
  virtual absl::StatusOr<Offset> log_start_offset(int32_t partition) = 0;
};

}  // namespace rill

#endif  // RILL_GROUP_GROUP_LOG_H_
