#include "client/consumer_assignment.h"

#include <algorithm>
#include <set>
#include <utility>

namespace rill::client {

bool ConsumerAssignment::Subscribe(std::vector<std::string> topics) {
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  const bool changed = mode_ != Mode::kSubscribed || topics != topics_;
  mode_ = Mode::kSubscribed;
  topics_ = std::move(topics);
  return changed;
}

void ConsumerAssignment::Reset() {
  mode_ = Mode::kNone;
  topics_.clear();
  partitions_.clear();
}

void ConsumerAssignment::Assign(const std::vector<TopicPartition>& partitions,
                                PositionSource source) {
  std::set<TopicPartition> wanted(partitions.begin(), partitions.end());
  for (auto it = partitions_.begin(); it != partitions_.end();) {
    it = wanted.count(it->first) ? std::next(it) : partitions_.erase(it);
  }
  for (const TopicPartition& tp : wanted) {
    if (partitions_.count(tp)) continue;
    PartitionState state;
    state.tp = std::make_shared<const TopicPartition>(tp);
    state.source = source;
    partitions_.emplace(tp, std::move(state));
  }
}

void ConsumerAssignment::Remove(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) partitions_.erase(tp);
}

std::vector<TopicPartition> ConsumerAssignment::Partitions() const {
  std::vector<TopicPartition> out;
  out.reserve(partitions_.size());
  for (const auto& [tp, state] : partitions_) out.push_back(tp);
  return out;
}

std::vector<TopicPartition> ConsumerAssignment::PausedPartitions() const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, state] : partitions_) {
    if (state.paused) out.push_back(tp);
  }
  return out;
}

PartitionState* ConsumerAssignment::Find(const TopicPartition& tp) {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : &it->second;
}

const PartitionState* ConsumerAssignment::Find(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : &it->second;
}

void ConsumerAssignment::Seek(PartitionState& state, Offset offset,
                              LeaderEpoch epoch) {
  Invalidate(state);
  state.source = PositionSource::kKnown;
  state.position = offset;
  state.leader_epoch = epoch;
  state.retry_at = absl::InfinitePast();
}

void ConsumerAssignment::RequireLookup(PartitionState& state,
                                       PositionSource source, Offset offset) {
  Invalidate(state);
  state.source = source;
  state.position = offset;
  state.retry_at = absl::InfinitePast();
}

void ConsumerAssignment::Invalidate(PartitionState& state) {
  ++state.fetch_generation;
  state.inflight_fetch = 0;
  state.buffered = false;
}

}  // namespace rill::client
