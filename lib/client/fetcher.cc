#include "client/fetcher.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rill/error.h"

namespace rill::client {

// Inbox receives fetch answers from the broker's threads.
struct Fetcher::Inbox {
  absl::Mutex mu;
  std::vector<std::pair<uint64_t, FetchResult>> answers ABSL_GUARDED_BY(mu);
};

Fetcher::CompletedFetch::CompletedFetch(std::shared_ptr<FetchedData> d,
                                        uint64_t gen)
    : data(std::move(d)), generation(gen), batches(data->buffer.bytes()) {}

Fetcher::Fetcher(Router& router, const ConsumerOptions& options,
                 ConsumerAssignment* assignment,
                 std::shared_ptr<ConsumerSignal> signal)
    : router_(router),
      options_(options),
      assignment_(assignment),
      signal_(std::move(signal)),
      inbox_(std::make_shared<Inbox>()),
      buffers_(std::make_shared<FetchBufferPool>()),
      leaders_expire_(absl::Now() +
                      absl::Milliseconds(options_.metadata_max_age_ms)) {}

void Fetcher::RouteLater(PartitionState& state, absl::Time now) {
  state.leader = NodeId(-1);
  state.retry_at = now + kRetryBackoff;
  router_.InvalidateLeaders(state.tp->topic);
}

void Fetcher::SendFetches() {
  const absl::Time now = absl::Now();
  if (now >= leaders_expire_) {
    leaders_expire_ = now + absl::Milliseconds(options_.metadata_max_age_ms);
    for (auto& [tp, state] : assignment_->states()) {
      if (state.leader.value() < 0) continue;
      state.leader = NodeId(-1);
      router_.InvalidateLeaders(tp.topic);
    }
  }
  // What goes to one leader; a consumer reads from a few leaders at most,
  // found by a linear search.
  struct LeaderFetch {
    NodeId leader;
    FetchRequest request;
    std::vector<SentPartition> sent;
  };
  std::vector<LeaderFetch> fetches;
  for (auto& [tp, state] : assignment_->states()) {
    if (!state.has_position() || state.paused || state.inflight_fetch != 0 ||
        state.buffered || state.retry_at > now) {
      continue;
    }
    if (state.leader.value() < 0) {
      absl::StatusOr<PartitionLeader> leader = router_.Leader(tp);
      if (!leader.ok() || leader->node.value() < 0) {
        RouteLater(state, now);
        continue;
      }
      state.leader = leader->node;
      state.current_leader_epoch = leader->epoch;
    }
    const NodeId leader = state.leader;
    auto fetch = std::find_if(
        fetches.begin(), fetches.end(),
        [leader](const LeaderFetch& f) { return f.leader == leader; });
    if (fetch == fetches.end()) {
      fetch = fetches.insert(
          fetches.end(),
          LeaderFetch{.leader = leader,
                      .request = {.partitions = {},
                                  .min_bytes = options_.fetch_min_bytes,
                                  .max_wait_ms = options_.fetch_max_wait_ms,
                                  .max_bytes = options_.fetch_max_bytes,
                                  .isolation = options_.isolation_level},
                      .sent = {}});
    }
    fetch->request.partitions.push_back(
        {.tp = tp,
         .fetch_offset = state.position,
         .max_bytes = options_.max_partition_fetch_bytes,
         .current_leader_epoch = state.current_leader_epoch});
    fetch->sent.push_back({tp, state.fetch_generation, state.position});
  }
  for (LeaderFetch& fetch : fetches) {
    // Held for this call only (see BrokerDirectory).
    std::shared_ptr<Broker> leader = router_.directory().Get(fetch.leader);
    if (leader == nullptr) {  // down or cut off: look for its successor
      for (const SentPartition& sent : fetch.sent) {
        RouteLater(*assignment_->Find(sent.tp), now);
      }
      continue;
    }
    const uint64_t id = next_fetch_id_++;
    for (const SentPartition& sent : fetch.sent) {
      assignment_->Find(sent.tp)->inflight_fetch = id;
    }
    // Start each fetch at a different partition, so that with
    // fetch.max.bytes reached early the same partition does not always
    // come first (KIP-74).
    const size_t first = rotation_++ % fetch.sent.size();
    std::vector<FetchPartitionRequest>& partitions = fetch.request.partitions;
    std::rotate(partitions.begin(), partitions.begin() + first,
                partitions.end());
    std::rotate(fetch.sent.begin(), fetch.sent.begin() + first,
                fetch.sent.end());
    inflight_.emplace(id, std::move(fetch.sent));
    // The answer may come inline, from an appending thread, or from the
    // broker's timer at fetch.max.wait.ms; it only queues and wakes Poll.
    leader->Fetch(std::move(fetch.request),
                  [inbox = inbox_, signal = signal_, id](FetchResult result) {
                    {
                      absl::MutexLock lock(&inbox->mu);
                      inbox->answers.emplace_back(id, std::move(result));
                    }
                    signal->Notify();
                  });
  }
}

void Fetcher::ProcessAnswers() {
  std::vector<std::pair<uint64_t, FetchResult>> answers;
  {
    absl::MutexLock lock(&inbox_->mu);
    answers.swap(inbox_->answers);
  }
  const absl::Time now = absl::Now();
  for (auto& [id, result] : answers) {
    auto node = inflight_.extract(id);
    if (node.empty()) continue;
    const std::vector<SentPartition>& sent = node.mapped();
    for (size_t i = 0; i < sent.size(); ++i) {
      // Answers come in request order; look further only if one is missing.
      FetchPartitionResult* answer = nullptr;
      if (i < result.partitions.size() &&
          result.partitions[i].tp == sent[i].tp) {
        answer = &result.partitions[i];
      } else {
        for (FetchPartitionResult& p : result.partitions) {
          if (p.tp == sent[i].tp) answer = &p;
        }
      }
      PartitionState* state = assignment_->Find(sent[i].tp);
      if (state == nullptr || state->inflight_fetch != id) continue;
      state->inflight_fetch = 0;
      if (answer == nullptr) continue;
      HandleAnswer(sent[i], *answer, now);
    }
  }
  // Forget buffered answers whose partition moved on.
  completed_.erase(std::remove_if(completed_.begin(), completed_.end(),
                                  [this](const CompletedFetch& f) {
                                    return !IsCurrent(
                                        f, assignment_->Find(*f.data->tp));
                                  }),
                   completed_.end());
}

void Fetcher::HandleAnswer(const SentPartition& sent,
                           FetchPartitionResult& result, absl::Time now) {
  PartitionState& state = *assignment_->Find(sent.tp);
  if (state.fetch_generation != sent.generation || !state.has_position() ||
      state.position != sent.offset || state.paused) {
    return;  // sought, reset or paused while the fetch was out
  }
  if (result.high_watermark >= Offset(0)) {
    state.high_watermark = result.high_watermark;
    state.last_stable_offset = result.last_stable_offset;
    state.log_start_offset = result.log_start_offset;
  }
  if (!result.status.ok()) {
    if (HasErrorReason(result.status, ErrorReason::kOffsetOutOfRange)) {
      ConsumerAssignment::RequireLookup(state, PositionSource::kOutOfRange,
                                        sent.offset);
    } else if (IsLeaderError(result.status)) {
      // Not the leader (any more), a stale epoch, unknown topic, storage
      // error: look the leader up again and retry, as Kafka does.
      RouteLater(state, now);
    } else {
      state.retry_at = now + kRetryBackoff;
    }
    return;
  }
  if (result.records.size_bytes == 0) return;
  auto data = std::make_shared<FetchedData>();
  data->tp = state.tp;
  absl::StatusOr<FetchBuffer> buffer = buffers_->Read(result.records);
  if (!buffer.ok()) {
    state.retry_at = now + kRetryBackoff;
    return;
  }
  data->buffer = *std::move(buffer);
  CompletedFetch& fetch =
      completed_.emplace_back(std::move(data), state.fetch_generation);
  if (options_.isolation_level == IsolationLevel::kReadCommitted &&
      !result.aborted_transactions.empty()) {
    fetch.aborted = std::move(result.aborted_transactions);
    std::sort(fetch.aborted.begin(), fetch.aborted.end(),
              [](const AbortedTransaction& a, const AbortedTransaction& b) {
                return a.first_offset < b.first_offset;
              });
  }
  state.buffered = true;
}

bool Fetcher::IsCurrent(const CompletedFetch& fetch,
                        const PartitionState* state) const {
  return state != nullptr && state->fetch_generation == fetch.generation &&
         state->has_position() && !state->paused;
}

absl::Status Fetcher::Collect(ConsumerRecordsBuilder& builder) {
  while (builder.room() > 0 && !completed_.empty()) {
    CompletedFetch& fetch = completed_.front();
    PartitionState* state = assignment_->Find(*fetch.data->tp);
    if (!IsCurrent(fetch, state)) {
      completed_.pop_front();
      continue;
    }
    if (absl::Status status = Drain(fetch, *state, builder); !status.ok()) {
      // Hand out what came before the bad batch first; the error stays.
      return builder.size() > 0 ? absl::OkStatus() : status;
    }
    if (!fetch.exhausted) break;  // builder full
    state->buffered = false;
    completed_.pop_front();
  }
  return absl::OkStatus();
}

absl::Status Fetcher::Drain(CompletedFetch& fetch, PartitionState& state,
                            ConsumerRecordsBuilder& builder) {
  if (!fetch.error.ok()) return fetch.error;
  const TopicPartition* tp = fetch.data->tp.get();
  bool kept = false;
  while (builder.room() > 0) {
    if (fetch.current == nullptr) {
      if (!NextBatch(fetch, state)) break;
      continue;
    }
    const std::vector<record::RecordView>& records = fetch.current->records();
    const size_t end =
        std::min(records.size(), fetch.next_record + builder.room());
    for (size_t i = fetch.next_record; i < end; ++i) {
      const record::RecordView& r = records[i];
      // The first batch of an answer may start before the position.
      if (r.offset < state.position) continue;
      if (!kept) {
        builder.Keep(fetch.data);
        kept = true;
      }
      ConsumerRecord& out = builder.Add();
      out.tp = tp;
      out.offset = r.offset;
      out.timestamp_ms = r.timestamp_ms;
      out.timestamp_type = fetch.current_timestamp_type;
      out.key = r.key;
      out.value = r.value;
      out.headers = r.headers;
      out.leader_epoch = fetch.current_epoch;
      state.position = r.offset + 1;
    }
    fetch.next_record = end;
    if (fetch.next_record < records.size()) {
      if (builder.room() == 0) break;
      continue;  // records below the position took no room: go on
    }
    // The batch is done: step over what compaction removed from its end.
    fetch.current = nullptr;
    state.position =
        std::max(state.position, Offset(fetch.current_last_offset + 1));
    state.leader_epoch = fetch.current_epoch;
  }
  return fetch.error;
}

bool Fetcher::NextBatch(CompletedFetch& fetch, PartitionState& state) {
  while (fetch.batches.Next()) {
    const record::RecordBatchView& batch = fetch.batches.batch();
    const record::RecordBatchHeader& header = batch.header();
    if (Offset(header.last_offset()) < state.position) continue;
    if (options_.check_crcs) {
      if (absl::Status crc = batch.VerifyCrc(); !crc.ok()) {
        fetch.error = MakeError(
            ErrorReason::kCorruptMessage,
            absl::StrCat("record batch of ", fetch.data->tp->ToString(),
                         " at offset ", header.base_offset,
                         " is corrupt: ", crc.message()));
        return false;
      }
    }
    const Offset after_batch = Offset(header.last_offset() + 1);
    if (!fetch.aborted.empty()) {
      // Producers whose aborted transaction has begun by this batch.
      while (fetch.next_aborted < fetch.aborted.size() &&
             fetch.aborted[fetch.next_aborted].first_offset.value() <=
                 header.last_offset()) {
        fetch.aborted_producers.insert(
            fetch.aborted[fetch.next_aborted++].producer_id.value());
      }
    }
    if (header.is_control()) {
      // A producer's next marker after its aborted transaction began is
      // that transaction's abort marker: it ends the skipping.
      fetch.aborted_producers.erase(header.producer_id);
      state.position = std::max(state.position, after_batch);
      continue;
    }
    if (header.is_transactional() &&
        fetch.aborted_producers.contains(header.producer_id)) {
      state.position = std::max(state.position, after_batch);
      continue;
    }
    absl::StatusOr<record::DecodedRecords> decoded = batch.DecodeRecords();
    if (!decoded.ok()) {
      fetch.error = MakeError(
          ErrorReason::kCorruptMessage,
          absl::StrCat("record batch of ", fetch.data->tp->ToString(),
                       " at offset ", header.base_offset,
                       " cannot be decoded: ", decoded.status().message()));
      return false;
    }
    fetch.current = &fetch.data->batches.emplace_back(*std::move(decoded));
    fetch.next_record = 0;
    fetch.current_last_offset = header.last_offset();
    fetch.current_epoch = LeaderEpoch(header.partition_leader_epoch);
    fetch.current_timestamp_type = header.timestamp_type();
    return true;
  }
  if (!fetch.batches.status().ok()) {
    fetch.error =
        MakeError(ErrorReason::kCorruptMessage,
                  absl::StrCat("fetched data of ", fetch.data->tp->ToString(),
                               ": ", fetch.batches.status().message()));
    return false;
  }
  fetch.exhausted = true;
  return false;
}

}  // namespace rill::client
