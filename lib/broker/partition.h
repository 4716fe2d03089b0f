// Partition: one topic partition as the broker serves it — produce
// validation, idempotent-producer checks, the high watermark and last stable
// offset over a Log.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Partition> p,
//                    Partition::Open({.tp = tp, .log = log, .fs = fs}));
//   p->Produce(batch, {.acks = Acks::kAll}, [](auto result) { ... });
//   FetchPartitionResult r = p->Read({.fetch_offset = Offset(0)},
//                                    IsolationLevel::kReadCommitted,
//                                    /*max_bytes=*/1 << 20,
//                                    /*min_one_batch=*/true);
//
// Single replica: the high watermark is the log end once an append returns
// and the last stable offset is the high watermark (no transactions yet).
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
  // Expires idle producers. Default: system clock.
  std::shared_ptr<Clock> clock = nullptr;
  // Written into appended batches' partitionLeaderEpoch and reported by
  // ListOffsets. Default: 0.
  LeaderEpoch leader_epoch = LeaderEpoch(0);
  // producer.id.expiration.ms. Default: 1 day.
  int64_t producer_id_expiration_ms = 24 * 3600 * 1000LL;
  // Runs after the high watermark advances, in the appending thread,
  // without partition locks held, before the produce callback: the broker
  // completes parked fetches from here. Default: none.
  std::function<void(const TopicPartition&)> on_high_watermark_advance =
      nullptr;
};

// Partition is owned by the broker (shared with in-flight fetches).
// Thread-safe: appends are serialized per partition (the producer checks and
// the append happen under one lock, so concurrent retries are safe); reads
// run concurrently with them. After Close() produces fail with
// kNotLeaderOrFollower; the Log must outlive the Partition.
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
  // and calls `done` as `options.acks` asks: inline, on this thread, for
  // every acks value on a single replica (acks=all waits for the high
  // watermark to pass the batch, which here it does at once). A retried
  // duplicate of one of a producer's last 5 batches answers with the
  // original offsets and appends nothing. Bad input changes nothing. See
  // broker/produce_validator.h for the error of each check.
  virtual void Produce(std::span<char> batch, const ProduceOptions& options,
                       ProduceCallback done) = 0;

  // Read serves one partition of a fetch: at most max_bytes (at least one
  // whole batch if `min_one_batch`), up to the high watermark
  // (read_uncommitted) or last stable offset (read_committed). Errors go in
  // the result's status (kOffsetOutOfRange outside [log start, log end]).
  virtual FetchPartitionResult Read(const FetchPartitionRequest& request,
                                    IsolationLevel isolation, int64_t max_bytes,
                                    bool min_one_batch) = 0;

  // ListOffsets: earliest (log start), latest (high watermark, or last
  // stable offset for read_committed), max timestamp (the first record with
  // the largest timestamp, KIP-734) or the first record at or after a
  // timestamp; offset -1 when none. Only offsets below the isolation level's
  // bound are reported. Other negative timestamps: kInvalidRequest.
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
