#include "broker/producer_state.h"

#include <limits>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "broker/format.h"
#include "rill/error.h"

namespace rill::broker {
namespace {

// InSequence: `next` directly follows `last` (with the wrap at INT32_MAX).
bool InSequence(int32_t last, int32_t next) {
  return static_cast<int64_t>(next) == static_cast<int64_t>(last) + 1 ||
         (next == 0 && last == std::numeric_limits<int32_t>::max());
}

}  // namespace

int32_t IncrementSequence(int32_t sequence, int32_t delta) {
  const int64_t sum = static_cast<int64_t>(sequence) + delta;
  const int64_t wrap = int64_t{std::numeric_limits<int32_t>::max()} + 1;
  return static_cast<int32_t>(sum >= wrap ? sum - wrap : sum);
}

ProducerBatch ProducerBatch::FromHeader(const record::RecordBatchHeader& h) {
  return {.producer_id = ProducerId(h.producer_id),
          .epoch = ProducerEpoch(h.producer_epoch),
          .first_seq = h.base_sequence,
          .last_offset_delta = h.last_offset_delta};
}

absl::StatusOr<std::optional<BatchMetadata>> ProducerStateTable::Check(
    const ProducerBatch& batch) const {
  if (!batch.idempotent()) return std::nullopt;
  const ProducerEntry* entry = Find(batch.producer_id);
  if (entry == nullptr ||
      entry->epoch == ProducerEpoch(record::kNoProducerEpoch)) {
    return std::nullopt;  // KIP-360: nothing to check against
  }
  if (batch.epoch < entry->epoch) {
    return MakeError(
        ErrorReason::kInvalidProducerEpoch,
        absl::StrCat("producer ", batch.producer_id.value(), " has epoch ",
                     batch.epoch.value(), " below the current epoch ",
                     entry->epoch.value()));
  }
  if (batch.epoch > entry->epoch) {
    if (batch.first_seq != 0) {
      return MakeError(
          ErrorReason::kOutOfOrderSequenceNumber,
          absl::StrCat("producer ", batch.producer_id.value(), " starts epoch ",
                       batch.epoch.value(), " at sequence ", batch.first_seq,
                       "; a new epoch must start at 0"));
    }
    return std::nullopt;
  }
  const int32_t last_seq = batch.last_seq();
  for (const BatchMetadata& cached : entry->batches) {
    if (cached.first_seq == batch.first_seq && cached.last_seq == last_seq) {
      return cached;
    }
  }
  if (!InSequence(entry->last_seq(), batch.first_seq)) {
    return MakeError(
        ErrorReason::kOutOfOrderSequenceNumber,
        absl::StrCat("producer ", batch.producer_id.value(), " sent sequence ",
                     batch.first_seq, " after ", entry->last_seq()));
  }
  return std::nullopt;
}

void ProducerStateTable::Update(const ProducerBatch& batch, Offset first_offset,
                                int64_t timestamp_ms) {
  if (!batch.idempotent()) return;
  ProducerEntry& entry = producers_[batch.producer_id];
  if (entry.epoch != batch.epoch) {
    entry.epoch = batch.epoch;
    entry.batches.clear();
  }
  entry.batches.push_back(
      {.first_seq = batch.first_seq,
       .last_seq = batch.last_seq(),
       .first_offset = first_offset,
       .last_offset = first_offset + batch.last_offset_delta,
       .timestamp_ms = timestamp_ms});
  while (entry.batches.size() > format::kMaxCachedBatches) {
    entry.batches.pop_front();
  }
  entry.last_timestamp_ms = timestamp_ms;
}

int ProducerStateTable::ExpireProducers(int64_t now_ms, int64_t expiration_ms) {
  absl::InlinedVector<ProducerId, 8> expired;
  for (const auto& [id, entry] : producers_) {
    if (now_ms - entry.last_timestamp_ms >= expiration_ms) {
      expired.push_back(id);
    }
  }
  for (ProducerId id : expired) producers_.erase(id);
  return static_cast<int>(expired.size());
}

const ProducerEntry* ProducerStateTable::Find(ProducerId id) const {
  auto it = producers_.find(id);
  return it == producers_.end() ? nullptr : &it->second;
}

void ProducerStateTable::Put(ProducerId id, ProducerEntry entry) {
  producers_[id] = std::move(entry);
}

}  // namespace rill::broker
