#include "broker/replica_tracker.h"

#include <algorithm>

#include "absl/algorithm/container.h"

namespace rill::broker {
void ReplicaTracker::BecomeLeader(NodeId self, std::vector<NodeId> replicas,
                                  std::vector<NodeId> isr, int64_t now_ms) {
  self_ = self;
  followers_.clear();
  pending_isr_.reset();
  replicas_ = std::move(replicas);
  isr_ = std::move(isr);
  for (NodeId id : replicas_) {
    if (id != self_) followers_[id] = Follower{.last_caught_up_ms = now_ms};
  }
}

void ReplicaTracker::SetIsr(std::vector<NodeId> replicas,
                            std::vector<NodeId> isr, int64_t now_ms) {
  for (auto& [id, f] : followers_) {
    if (absl::c_linear_search(isr_, id) && !absl::c_linear_search(isr, id)) {
      f = Follower{.last_caught_up_ms = now_ms};
    }
  }
  replicas_ = std::move(replicas);
  isr_ = std::move(isr);
  pending_isr_.reset();
  for (NodeId id : replicas_) {
    if (id != self_ && !followers_.contains(id)) {
      followers_[id] = Follower{.last_caught_up_ms = now_ms};
    }
  }
  absl::erase_if(followers_, [&](const auto& f) {
    return !absl::c_linear_search(replicas_, f.first);
  });
}

bool ReplicaTracker::RecordFetch(NodeId replica, Offset fetch_offset,
                                 Offset leader_end, int64_t now_ms) {
  auto it = followers_.find(replica);
  if (it == followers_.end()) return false;
  Follower& f = it->second;
  // Caught up: fetched everything the leader had now, or everything it had
  // at the previous fetch (then it was caught up as of that fetch).
  if (fetch_offset >= leader_end) {
    f.last_caught_up_ms = now_ms;
  } else if (f.last_fetch_ms >= 0 &&
             fetch_offset >= f.leader_end_at_last_fetch) {
    f.last_caught_up_ms = std::max(f.last_caught_up_ms, f.last_fetch_ms);
  }
  f.log_end = fetch_offset;
  f.last_fetch_ms = now_ms;
  f.leader_end_at_last_fetch = leader_end;
  return true;
}

bool ReplicaTracker::InMaximalIsr(NodeId id) const {
  return absl::c_linear_search(isr_, id) ||
         (pending_isr_ && absl::c_linear_search(*pending_isr_, id));
}

Offset ReplicaTracker::HighWatermark(Offset leader_end) const {
  Offset hw = leader_end;
  for (const auto& [id, f] : followers_) {
    if (InMaximalIsr(id)) hw = std::min(hw, f.log_end);
  }
  return hw;
}

std::optional<std::vector<NodeId>> ReplicaTracker::WantedIsr(
    Offset high_watermark, Offset epoch_start, int64_t now_ms,
    int64_t lag_ms) const {
  if (pending_isr_) return std::nullopt;
  std::vector<NodeId> wanted;
  for (NodeId id : replicas_) {
    if (id == self_) {
      wanted.push_back(id);
      continue;
    }
    auto it = followers_.find(id);
    if (it == followers_.end()) continue;
    const Follower& f = it->second;
    if (absl::c_linear_search(isr_, id)) {
      if (now_ms - f.last_caught_up_ms <= lag_ms) wanted.push_back(id);
    } else if (f.log_end >= high_watermark && f.log_end >= epoch_start &&
               now_ms - f.last_caught_up_ms <= lag_ms) {
      wanted.push_back(id);
    }
  }
  // Compare as sets: the controller keeps replica order.
  std::vector<NodeId> a = wanted, b = isr_;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a == b) return std::nullopt;
  return wanted;
}

}  // namespace rill::broker
