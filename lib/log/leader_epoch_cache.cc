#include "log/leader_epoch_cache.h"

#include <algorithm>
#include <iterator>

namespace rill::log {

bool LeaderEpochCache::WouldChange(LeaderEpoch epoch,
                                   Offset start_offset) const {
  if (epoch < LeaderEpoch(0)) return false;
  if (entries_.empty()) return true;
  const EpochEntry& latest = entries_.back();
  return epoch != latest.epoch || start_offset < latest.start_offset;
}

bool LeaderEpochCache::Assign(LeaderEpoch epoch, Offset start_offset) {
  if (!WouldChange(epoch, start_offset)) return false;
  while (!entries_.empty() && (entries_.back().epoch >= epoch ||
                               entries_.back().start_offset >= start_offset)) {
    entries_.pop_back();
  }
  entries_.push_back({.epoch = epoch, .start_offset = start_offset});
  return true;
}

bool LeaderEpochCache::TruncateFromEnd(Offset end_offset) {
  const size_t before = entries_.size();
  while (!entries_.empty() && entries_.back().start_offset >= end_offset) {
    entries_.pop_back();
  }
  return entries_.size() != before;
}

bool LeaderEpochCache::TruncateFromStart(Offset start_offset) {
  // The entries starting at or before `start_offset` are a prefix; its last
  // one covers `start_offset` and survives, moved up to it.
  auto covering = std::partition_point(entries_.begin(), entries_.end(),
                                       [start_offset](const EpochEntry& e) {
                                         return e.start_offset <= start_offset;
                                       });
  if (covering == entries_.begin()) return false;
  --covering;
  const bool changed =
      covering != entries_.begin() || covering->start_offset != start_offset;
  covering->start_offset = start_offset;
  entries_.erase(entries_.begin(), covering);
  return changed;
}

bool LeaderEpochCache::Clear() {
  const bool changed = !entries_.empty();
  entries_.clear();
  return changed;
}

std::optional<LeaderEpoch> LeaderEpochCache::LatestEpoch() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back().epoch;
}

std::optional<LeaderEpoch> LeaderEpochCache::EpochFor(Offset offset) const {
  auto after = std::partition_point(
      entries_.begin(), entries_.end(),
      [offset](const EpochEntry& e) { return e.start_offset <= offset; });
  if (after == entries_.begin()) return std::nullopt;
  return std::prev(after)->epoch;
}

EpochEndOffset LeaderEpochCache::EndOffsetFor(LeaderEpoch epoch,
                                              Offset log_end_offset) const {
  const EpochEndOffset undefined{.epoch = LeaderEpoch(-1),
                                 .end_offset = Offset(-1)};
  if (epoch < LeaderEpoch(0) || entries_.empty()) return undefined;
  if (epoch == entries_.back().epoch) {
    return {.epoch = epoch, .end_offset = log_end_offset};
  }
  auto higher = std::partition_point(
      entries_.begin(), entries_.end(),
      [epoch](const EpochEntry& e) { return e.epoch <= epoch; });
  if (higher == entries_.end()) return undefined;
  // Below every known epoch, Kafka answers with the requested epoch itself:
  // the follower then truncates to where this log's epochs begin.
  const LeaderEpoch floor =
      higher == entries_.begin() ? epoch : std::prev(higher)->epoch;
  return {.epoch = floor, .end_offset = higher->start_offset};
}

}  // namespace rill::log
