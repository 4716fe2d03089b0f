// rill/broker/fetch.h — the fetch path's request and answer.
//
// A fetch is a delayed operation: answered at once when it has min_bytes (or
// an error, or max_wait_ms <= 0), otherwise parked until an append gives it
// enough or its deadline passes. Parked fetches cost nothing while idle.
#ifndef RILL_BROKER_FETCH_H_
#define RILL_BROKER_FETCH_H_

#include <cstdint>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "rill/log/log.h"
#include "rill/types.h"

namespace rill {

// IsolationLevel chooses how far a fetch reads (Kafka's isolation.level).
enum class IsolationLevel : int8_t {
  kReadUncommitted = 0,  // up to the high watermark
  kReadCommitted = 1,    // up to the last stable offset
};

// FetchPartitionRequest is one partition of a fetch.
struct FetchPartitionRequest {
  TopicPartition tp = {};
  Offset fetch_offset = Offset(0);
  // Per-partition byte limit (max.partition.fetch.bytes); the first batch
  // of the first partition with data is returned whole even if larger
  // (KIP-74), any other batch only if it fits. Default: 1 MiB.
  int32_t max_bytes = 1 << 20;
  // The leader epoch the fetcher knows (KIP-320): a leader in another
  // epoch answers kFencedLeaderEpoch (older) or kUnknownLeaderEpoch
  // (newer). Default: -1, not checked.
  LeaderEpoch current_leader_epoch = LeaderEpoch(-1);
};

// FetchRequest reads from several partitions at once.
struct FetchRequest {
  // A follower broker's id (its fetch reads to the log end and moves the
  // leader's high watermark and ISR), or -1 for a consumer. Default: -1.
  NodeId replica_id = NodeId(-1);
  std::vector<FetchPartitionRequest> partitions = {};
  // Answer once this many bytes are available (fetch.min.bytes).
  // Default: 1.
  int32_t min_bytes = 1;
  // Longest time to wait for min_bytes (fetch.max.wait.ms). Default: 500.
  int64_t max_wait_ms = 500;
  // Limit over all partitions (fetch.max.bytes); the first batch of the
  // first non-empty partition is returned whole. Default: 50 MiB.
  int32_t max_bytes = 50 << 20;
  IsolationLevel isolation = IsolationLevel::kReadUncommitted;
};

// AbortedTransaction lists a transaction whose records a read_committed
// consumer must skip.
struct AbortedTransaction {
  ProducerId producer_id;
  Offset first_offset;
};

// FetchPartitionResult is one partition's answer.
struct FetchPartitionResult {
  TopicPartition tp;
  // kOffsetOutOfRange, kUnknownTopicOrPartition, ... (rill/error.h).
  absl::Status status;
  Offset high_watermark = Offset(-1);
  Offset last_stable_offset = Offset(-1);
  Offset log_start_offset = Offset(-1);
  std::vector<AbortedTransaction> aborted_transactions;
  // Whole stored batches, as file slices (zero copy for the network path).
  LogReadResult records;
};

// FetchResult answers a FetchRequest, partitions in request order.
struct FetchResult {
  std::vector<FetchPartitionResult> partitions;
};

// FetchCallback receives the answer: at once, from the append that
// satisfied it, or from the timer at max_wait.
using FetchCallback = absl::AnyInvocable<void(FetchResult)>;

}  // namespace rill

#endif  // RILL_BROKER_FETCH_H_
