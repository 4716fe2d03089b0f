// Partition: one topic partition as the broker serves it — produce
// validation, idempotent-producer checks, the high watermark and last stable
// offset over a Log.
#ifndef RILL_BROKER_PARTITION_H_
#define RILL_BROKER_PARTITION_H_

#include <functional>
#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "rill/broker/broker.h"
#include "rill/broker/fetch.h"
#include "rill/broker/produce.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/types.h"

namespace rill::broker {

// PartitionOptions open a Partition.
struct PartitionOptions {
  TopicPartition tp = {};
  // The partition's log, owned by the broker's LogManager; must outlive the
  // Partition. Required.
  Log* log = nullptr;
  // Holds the producer-state snapshots, in log->dir(). Required.
  std::shared_ptr<io::FileSystem> fs = nullptr;
  std::shared_ptr<Clock> clock = nullptr;
  // Written into appended batches' partitionLeaderEpoch.
  LeaderEpoch leader_epoch = LeaderEpoch(0);
  // producer.id.expiration.ms.
  int64_t producer_id_expiration_ms = 24 * 3600 * 1000LL;
  // Runs after the high watermark advances, without partition locks held:
  // the broker completes parked fetches from here.
  std::function<void(const TopicPartition&)> on_high_watermark_advance =
      nullptr;
};

// Partition is owned by the broker (shared with in-flight fetches).
// Thread-safe: appends are serialized per partition; reads run concurrently.
class Partition {
 public:
  // Open restores producer state from the newest snapshot in the log's
  // directory and replays the log's batches after it.
  static absl::StatusOr<std::unique_ptr<Partition>> Open(
      PartitionOptions options);
  virtual ~Partition() = default;

  virtual const TopicPartition& tp() const = 0;
  virtual Log& log() = 0;

  // Produce validates one RecordBatch v2 as Kafka does (exactly one batch,
  // magic 2, CRC, record count = lastOffsetDelta + 1, max.message.bytes,
  // no control batches from clients, zstd only if allowed, keys on
  // compacted topics), checks the producer's epoch and sequence, appends,
  // and calls `done` as `options.acks` asks. A retried duplicate of one of
  // a producer's last 5 batches answers with the original offsets and
  // appends nothing.
  virtual void Produce(std::span<char> batch, const ProduceOptions& options,
                       ProduceCallback done) = 0;

  // Read serves one partition of a fetch: at most max_bytes (at least one
  // whole batch if `min_one_batch`), up to the high watermark
  // (read_uncommitted) or last stable offset (read_committed). Errors go in
  // the result's status (kOffsetOutOfRange outside [log start, log end]).
  virtual FetchPartitionResult Read(const FetchPartitionRequest& request,
                                    IsolationLevel isolation,
                                    int64_t max_bytes, bool min_one_batch) = 0;

  virtual absl::StatusOr<ListOffsetsResult> ListOffsets(
      const ListOffsetsSpec& spec) = 0;
  virtual PartitionOffsets offsets() const = 0;
  virtual Offset high_watermark() const = 0;
  // DeleteRecords: see Broker::DeleteRecords.
  virtual absl::StatusOr<Offset> DeleteRecords(Offset before) = 0;

  // UpdateConfig applies a changed topic config to the log.
  virtual absl::Status UpdateConfig(const LogConfig& config) = 0;
  // SnapshotProducerState writes the producer state at the log end, and
  // expires producers idle past producer.id.expiration.ms.
  virtual absl::Status SnapshotProducerState() = 0;
  // Close snapshots producer state; the log itself is closed by its owner.
  virtual absl::Status Close() = 0;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_PARTITION_H_
