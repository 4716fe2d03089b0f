#include "broker/offsets_group_log.h"

#include "absl/strings/str_cat.h"
#include "rill/error.h"

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
  Partition& leader = **source;
  if (!leader.is_leader()) {
    return MakeError(
        ErrorReason::kNotLeaderOrFollower,
        absl::StrCat(leader.tp().ToString(), " is not led by this broker"));
  }
  // Up to the log end, as Kafka's coordinator loads: a new leader's high
  // watermark may not yet cover what the previous leader committed, and
  // everything in a leader's log stays.
  return leader.log().Read(offset,
                           {.max_bytes = max_bytes, .min_one_batch = true});
}

absl::StatusOr<Offset> OffsetsGroupLog::log_start_offset(int32_t partition) {
  absl::StatusOr<std::shared_ptr<Partition>> source =
      source_(partition, /*create=*/false);
  if (absl::IsNotFound(source.status())) return Offset(0);
  if (!source.ok()) return source.status();
  return (*source)->offsets().log_start_offset;
}

}  // namespace rill::broker
