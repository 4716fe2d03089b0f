// PendingAcks: acks=all produce answers waiting for the high watermark.
//
// Kafka answers an acks=all produce once the high watermark has passed the
// batch (every in-sync replica has it). A partition parks such answers here
// and takes them back out as its high watermark advances:
//
//   pending.Add(Offset(last_offset + 1), result, std::move(done));
//   ...
//   for (PendingAck& ack : pending.TakeSatisfied(new_high_watermark)) {
//     std::move(ack.done)(std::move(ack.result));   // outside the lock
//   }
//
// On a single-replica partition the high watermark is the log end as soon as
// an append returns, so nothing waits; a replication layer advances the high
// watermark from follower fetches instead and answers the rest (and fails
// them with TakeAll when leadership is lost).
#ifndef RILL_BROKER_PENDING_ACKS_H_
#define RILL_BROKER_PENDING_ACKS_H_

#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/broker/produce.h"
#include "rill/types.h"

namespace rill::broker {

// PendingAck is one parked answer.
struct PendingAck {
  // The high watermark that completes it: the batch's last offset + 1.
  Offset required_high_watermark = Offset(0);
  absl::StatusOr<ProduceResult> result = ProduceResult{};
  ProduceCallback done = nullptr;
  // When it gives up with kRequestTimedOut (ms, the partition's clock);
  // -1: never.
  int64_t deadline_ms = -1;
};

// PendingAcks is owned by a Partition and used under its append lock; the
// callbacks it returns are run by the caller after unlocking. Not
// thread-safe.
class PendingAcks {
 public:
  void Add(Offset required_high_watermark, absl::StatusOr<ProduceResult> result,
           ProduceCallback done, int64_t deadline_ms = -1);
  // TakeSatisfied removes and returns the answers whose batches are below
  // `high_watermark`, in offset order.
  std::vector<PendingAck> TakeSatisfied(Offset high_watermark);
  // TakeExpired removes and returns the answers whose deadline is at or
  // before `now_ms`.
  std::vector<PendingAck> TakeExpired(int64_t now_ms);
  // TakeAll removes and returns every parked answer.
  std::vector<PendingAck> TakeAll();
  size_t size() const { return waiting_.size(); }

 private:
  std::multimap<Offset, PendingAck> waiting_;
};

// RunAcks calls every ack's callback with its result, or with `status`
// instead when it is not OK.
void RunAcks(std::vector<PendingAck>& acks,
             const absl::Status& status = absl::OkStatus());

}  // namespace rill::broker

#endif  // RILL_BROKER_PENDING_ACKS_H_
