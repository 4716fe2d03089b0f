#include "broker/offsets_group_log.h"

namespace rill::broker {

void OffsetsGroupLog::Append(int32_t partition, std::span<char> batch,
                             AppendCallback done) {
  absl::StatusOr<std::shared_ptr<Partition>> target =
      source_(partition, /*create=*/true);
  if (!target.ok()) {
    done(target.status());
    return;
  }
  (*target)->Produce(
      batch, ProduceOptions{.acks = Acks::kAll},
      [done = std::move(done)](absl::StatusOr<ProduceResult> result) mutable {
        if (!result.ok()) {
          done(result.status());
        } else {
          done(result->base_offset);
        }
      });
}

absl::StatusOr<LogReadResult> OffsetsGroupLog::Read(int32_t partition,
                                                    Offset offset,
                                                    int64_t max_bytes) {
  absl::StatusOr<std::shared_ptr<Partition>> source =
      source_(partition, /*create=*/false);
  if (absl::IsNotFound(source.status())) {
    // The offsets topic is created on first write: nothing stored yet.
    LogReadResult empty;
    empty.log_start_offset = Offset(0);
    empty.log_end_offset = Offset(0);
    return empty;
  }
  if (!source.ok()) return source.status();
  FetchPartitionResult read = (*source)->Read(
      {.tp = (*source)->tp(),
       .fetch_offset = offset,
       .max_bytes =
           static_cast<int32_t>(std::min<int64_t>(max_bytes, INT32_MAX))},
      IsolationLevel::kReadUncommitted, max_bytes, /*min_one_batch=*/true);
  if (!read.status.ok()) return read.status;
  return std::move(read.records);
}

absl::StatusOr<Offset> OffsetsGroupLog::log_start_offset(int32_t partition) {
  absl::StatusOr<std::shared_ptr<Partition>> source =
      source_(partition, /*create=*/false);
  if (absl::IsNotFound(source.status())) return Offset(0);
  if (!source.ok()) return source.status();
  return (*source)->offsets().log_start_offset;
}

}  // namespace rill::broker
