// FetchPurgatory: long-poll fetches as delayed operations.
//
// A fetch that cannot be answered at once (less than min_bytes available,
// no errors, max_wait_ms > 0) is parked under each partition it reads. An
// append that advances a partition's high watermark re-checks only the
// fetches parked on that partition; the timer queue answers the rest at
// their deadline. No thread waits per fetch and nothing polls.
#ifndef RILL_BROKER_FETCH_PURGATORY_H_
#define RILL_BROKER_FETCH_PURGATORY_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "broker/partition.h"
#include "rill/broker/fetch.h"
#include "util/timer_queue.h"

namespace rill::broker {

// PartitionLookup finds a partition the broker serves, or kNotFound with
// ErrorReason kUnknownTopicOrPartition.
using PartitionLookup =
    std::function<absl::StatusOr<std::shared_ptr<Partition>>(
        const TopicPartition&)>;

// FetchPurgatory is owned by the broker. Thread-safe. Callbacks run without
// purgatory locks held, on the fetching thread (answered at once), the
// appending thread, or the timer thread; each fetch's callback runs exactly
// once. A parked fetch holds one timer in `timers` and one entry per
// partition it reads: no thread, no polling.
class FetchPurgatory {
 public:
  // `timers` must outlive the purgatory. `lookup` is called without
  // purgatory locks, from any of the threads above, until Shutdown returns.
  FetchPurgatory(PartitionLookup lookup, util::TimerQueue* timers);
  // Shuts down (see Shutdown).
  ~FetchPurgatory();
  FetchPurgatory(const FetchPurgatory&) = delete;
  FetchPurgatory& operator=(const FetchPurgatory&) = delete;

  // Fetch answers `request` now — max_wait_ms <= 0, min_bytes available,
  // a partition in error, or no partitions — or parks it until an append
  // gives it min_bytes (or a partition errors) or max_wait_ms passes, when
  // it is answered with a fresh read. Partitions are read with one byte
  // budget (request.max_bytes, each also within its own max_bytes); the
  // first batch of the first partition with data is returned whole even if
  // larger (KIP-74), later ones only if they fit.
  void Fetch(FetchRequest request, FetchCallback done);
  // OnPartitionChange (the high watermark or log end moved, or the
  // partition changed role) re-reads the fetches parked on `tp` (only those)
  // and completes the ones that now have min_bytes, on this thread.
  void OnPartitionChange(const TopicPartition& tp);
  // parked is the number of fetches waiting.
  size_t parked() const;
  // Shutdown answers every parked fetch with what it has now and waits for
  // completions running on other threads; later fetches are answered at
  // once. Idempotent. Must not be called from a fetch callback.
  void Shutdown();

 private:
  class Core;
  // Shared with pending timer callbacks, which may outlive the purgatory.
  std::shared_ptr<Core> core_;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_FETCH_PURGATORY_H_
