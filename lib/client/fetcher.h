// client/fetcher.h — a consumer's fetching: which partitions to ask the
// brokers for, what came back, and turning the answers into records.
//
// Each partition that is assigned, not paused, has a position, and has
// nothing in flight or buffered is read from its leader: one Fetch per
// leader, as Kafka's fetcher sends one per node. A leader error (or a
// leader that cannot be reached) makes the partition rest for
// retry.backoff.ms and look its leader up again; every
// metadata.max.age.ms all partitions look theirs up again. A Fetch's callback
// (on the broker's thread, or inline) only queues the answer and wakes Poll;
// the polling thread copies the bytes out of the log once (into a pooled
// buffer, see consumer_fetch_buffers.h) and decodes batch by batch as Poll
// drains them, so a fetch of thousands of records costs a handful of
// allocations, none per record.
#ifndef RILL_CLIENT_FETCHER_H_
#define RILL_CLIENT_FETCHER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "client/consumer_assignment.h"
#include "client/consumer_fetch_buffers.h"
#include "client/consumer_records_builder.h"
#include "client/consumer_signal.h"
#include "client/router.h"
#include "rill/broker/broker.h"
#include "rill/client/consumer.h"
#include "rill/record/record_batch.h"

namespace rill::client {

// Fetcher is owned by a consumer and used by its polling thread only.
// Fetches still in flight when it is destroyed complete harmlessly: their
// callbacks hold only the shared inbox.
class Fetcher {
 public:
  Fetcher(Router& router, const ConsumerOptions& options,
          ConsumerAssignment* assignment,
          std::shared_ptr<ConsumerSignal> signal);
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // SendFetches sends one fetch per leader of the partitions ready to be
  // read, if any.
  void SendFetches();

  // ProcessAnswers takes the answered fetches: data is buffered,
  // OFFSET_OUT_OF_RANGE sends the partition back to auto.offset.reset,
  // other errors make it rest for kRetryBackoff (leader errors also make
  // it look its leader up again). Data of partitions whose
  // position moved meanwhile (seek, pause, revocation) is dropped.
  void ProcessAnswers();

  // HasBuffered tells whether records (or an error) wait to be collected.
  bool HasBuffered() const { return !completed_.empty(); }

  // Collect moves up to builder.room() buffered records into `builder`,
  // advancing positions. A corrupt batch (bad CRC with check.crcs, or
  // malformed records) is an error (kCorruptMessage) once the records before
  // it have been returned, and again on every Poll until the partition is
  // sought past it.
  absl::Status Collect(ConsumerRecordsBuilder& builder);

 private:
  struct Inbox;
  // FetchedData is one partition's answer bytes and the batches decoded
  // from them; ConsumerRecords share it.
  struct FetchedData {
    std::shared_ptr<const TopicPartition> tp;
    FetchBuffer buffer;
    // A deque: decoding more batches never moves those records point into.
    std::deque<record::DecodedRecords> batches;
  };
  // CompletedFetch is one partition's answer being drained.
  struct CompletedFetch {
    CompletedFetch(std::shared_ptr<FetchedData> d, uint64_t generation);
    std::shared_ptr<FetchedData> data;
    uint64_t generation;
    record::BatchIterator batches;
    // The batch being returned, from data->batches.
    const record::DecodedRecords* current = nullptr;
    size_t next_record = 0;
    int64_t current_last_offset = 0;
    LeaderEpoch current_epoch = LeaderEpoch(-1);
    record::TimestampType current_timestamp_type =
        record::TimestampType::kCreateTime;
    // read_committed: aborted transactions by first offset, and the
    // producers inside one at the current batch.
    std::vector<AbortedTransaction> aborted;
    size_t next_aborted = 0;
    absl::flat_hash_set<int64_t> aborted_producers;
    absl::Status error;
    bool exhausted = false;
  };
  // SentPartition is what a fetch asked of one partition.
  struct SentPartition {
    TopicPartition tp;
    uint64_t generation;
    Offset offset;
  };

  bool IsCurrent(const CompletedFetch& fetch,
                 const PartitionState* state) const;
  // Drain moves records of `fetch` into `builder`.
  absl::Status Drain(CompletedFetch& fetch, PartitionState& state,
                     ConsumerRecordsBuilder& builder);
  // NextBatch decodes the next batch with records to return; false at the
  // end of the answer or on corruption (fetch.error).
  bool NextBatch(CompletedFetch& fetch, PartitionState& state);
  void HandleAnswer(const SentPartition& sent, FetchPartitionResult& result,
                    absl::Time now);
  // RouteLater makes a partition whose leader is not known (or not
  // reachable) rest, then look its leader up again.
  void RouteLater(PartitionState& state, absl::Time now);

  Router& router_;
  const ConsumerOptions& options_;
  ConsumerAssignment* const assignment_;
  const std::shared_ptr<ConsumerSignal> signal_;
  const std::shared_ptr<Inbox> inbox_;
  const std::shared_ptr<FetchBufferPool> buffers_;

  uint64_t next_fetch_id_ = 1;
  // When leaders are next looked up afresh (metadata.max.age.ms).
  absl::Time leaders_expire_;
  // Which partition comes first in the next fetch request.
  size_t rotation_ = 0;
  // Fetches sent and not yet processed, by id.
  absl::flat_hash_map<uint64_t, std::vector<SentPartition>> inflight_;
  // Answers with data, in arrival order (per partition: offset order).
  std::deque<CompletedFetch> completed_;
};

}  // namespace rill::client

#endif  // RILL_CLIENT_FETCHER_H_
