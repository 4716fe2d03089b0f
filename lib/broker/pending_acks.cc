#include "broker/pending_acks.h"

#include <utility>

namespace rill::broker {

void PendingAcks::Add(Offset required_high_watermark,
                      absl::StatusOr<ProduceResult> result,
                      ProduceCallback done, int64_t deadline_ms) {
  waiting_.emplace(
      required_high_watermark,
      PendingAck{.required_high_watermark = required_high_watermark,
                 .result = std::move(result),
                 .done = std::move(done),
                 .deadline_ms = deadline_ms});
}

std::vector<PendingAck> PendingAcks::TakeExpired(int64_t now_ms) {
  std::vector<PendingAck> expired;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second.deadline_ms >= 0 && it->second.deadline_ms <= now_ms) {
      expired.push_back(std::move(it->second));
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

std::vector<PendingAck> PendingAcks::TakeSatisfied(Offset high_watermark) {
  std::vector<PendingAck> ready;
  auto end = waiting_.upper_bound(high_watermark);
  for (auto it = waiting_.begin(); it != end; ++it) {
    ready.push_back(std::move(it->second));
  }
  waiting_.erase(waiting_.begin(), end);
  return ready;
}

std::vector<PendingAck> PendingAcks::TakeAll() {
  std::vector<PendingAck> all;
  all.reserve(waiting_.size());
  for (auto& [offset, ack] : waiting_) all.push_back(std::move(ack));
  waiting_.clear();
  return all;
}

void RunAcks(std::vector<PendingAck>& acks, const absl::Status& status) {
  for (PendingAck& ack : acks) {
    if (!ack.done) continue;
    if (status.ok()) {
      std::move(ack.done)(std::move(ack.result));
    } else {
      std::move(ack.done)(status);
    }
  }
}

}  // namespace rill::broker
