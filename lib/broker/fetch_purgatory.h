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
// appending thread, or the timer thread.
class FetchPurgatory {
 public:
  // `timers` must outlive the purgatory.
  FetchPurgatory(PartitionLookup lookup, util::TimerQueue* timers);
  ~FetchPurgatory();
  FetchPurgatory(const FetchPurgatory&) = delete;
  FetchPurgatory& operator=(const FetchPurgatory&) = delete;

  // Fetch answers `request` now or parks it (see fetch.h for when).
  void Fetch(FetchRequest request, FetchCallback done);
  // OnHighWatermarkAdvance completes the fetches parked on `tp` that now
  // have min_bytes.
  void OnHighWatermarkAdvance(const TopicPartition& tp);
  // parked is the number of fetches waiting.
  size_t parked() const;
  // Shutdown answers every parked fetch with what it has now; later
  // fetches are answered at once.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_FETCH_PURGATORY_H_
