// ConsumerImpl: positions — looking them up (committed offset, else
// auto.offset.reset), seeking, pausing, and lag. See client/consumer_impl.h.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/consumer_impl.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::client {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

absl::Time ConsumerImpl::NextRetry(absl::Time now) const {
  absl::Time next = absl::InfiniteFuture();
  for (const auto& [tp, state] : assignment_.states()) {
    if (state.retry_at > now) next = std::min(next, state.retry_at);
  }
  if (membership_ && membership_->retry_at() > now) {
    next = std::min(next, membership_->retry_at());
  }
  return next;
}

absl::StatusOr<std::vector<PartitionState*>> ConsumerImpl::AssignedStates(
    std::vector<TopicPartition> partitions, std::string_view call) {
  if (partitions.empty()) partitions = assignment_.Partitions();
  std::vector<PartitionState*> states;
  states.reserve(partitions.size());
  for (const TopicPartition& tp : partitions) {
    PartitionState* state = assignment_.Find(tp);
    if (state == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat(AbslView(call), ": partition ", tp.ToString(),
                       " is not assigned to this consumer"));
    }
    states.push_back(state);
  }
  return states;
}

absl::StatusOr<Offset> ConsumerImpl::ListOffset(const TopicPartition& tp,
                                                int64_t timestamp,
                                                absl::Time deadline) {
  const ListOffsetsSpec spec{.timestamp = timestamp,
                             .isolation = options_.isolation_level};
  ASSIGN_OR_RETURN(ListOffsetsResult result,
                   router_->CallLeader<ListOffsetsResult>(
                       tp, deadline, [&](Broker& leader, LeaderEpoch) {
                         return leader.ListOffsets(tp, spec);
                       }));
  return result.offset;
}

absl::Status ConsumerImpl::ResolvePosition(PartitionState& state,
                                           bool report_errors) {
  if (state.has_position()) return absl::OkStatus();
  const TopicPartition& tp = *state.tp;
  const absl::Time now = absl::Now();
  if (!report_errors && state.retry_at > now) return absl::OkStatus();
  // Inside Poll one attempt (Poll comes back after the backoff); for a
  // caller waiting on the answer, attempts until the API timeout.
  const absl::Time deadline = report_errors ? now + kDefaultApiTimeout : now;
  if (state.source == PositionSource::kCommitted) {
    if (options_.group_id.empty()) {
      state.source = PositionSource::kReset;
    } else {
      absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> committed =
          offsets_->Committed({tp}, deadline);
      if (!committed.ok()) {
        state.retry_at = now + kRetryBackoff;
        return report_errors ? committed.status() : absl::OkStatus();
      }
      auto it = committed->find(tp);
      if (it != committed->end()) {
        ConsumerAssignment::Seek(state, it->second.offset,
                                 it->second.leader_epoch);
        return absl::OkStatus();
      }
      state.source = PositionSource::kReset;
    }
  }
  if (options_.auto_offset_reset == AutoOffsetReset::kNone) {
    if (state.source == PositionSource::kOutOfRange) {
      return MakeError(
          ErrorReason::kOffsetOutOfRange,
          absl::StrCat("fetch offset ", state.position.value(), " of ",
                       tp.ToString(),
                       " is out of range and auto.offset.reset is none "
                       "(Kafka's OffsetOutOfRangeException); Seek to a "
                       "valid offset"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "no committed offset for ", tp.ToString(),
        options_.group_id.empty()
            ? std::string()
            : absl::StrCat(" in group ", options_.group_id),
        " and auto.offset.reset is none (Kafka's "
        "NoOffsetForPartitionException); Seek to a position first"));
  }
  absl::StatusOr<Offset> offset =
      ListOffset(tp,
                 options_.auto_offset_reset == AutoOffsetReset::kEarliest
                     ? ListOffsetsSpec::kEarliest
                     : ListOffsetsSpec::kLatest,
                 deadline);
  if (!offset.ok()) {
    state.retry_at = now + kRetryBackoff;
    return report_errors ? offset.status() : absl::OkStatus();
  }
  ConsumerAssignment::Seek(state, *offset);
  return absl::OkStatus();
}

absl::Status ConsumerImpl::ResolvePositions() {
  absl::Status first;
  for (auto& [tp, state] : assignment_.states()) {
    absl::Status status = ResolvePosition(state, /*report_errors=*/false);
    if (first.ok()) first = std::move(status);
  }
  return first;
}

absl::Status ConsumerImpl::Seek(const TopicPartition& tp, Offset offset) {
  RETURN_IF_ERROR(CheckOpen("Seek"));
  if (offset < Offset(0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Seek: negative offset ", offset.value(), " for ", tp.ToString()));
  }
  ASSIGN_OR_RETURN(std::vector<PartitionState*> states,
                   AssignedStates({tp}, "Seek"));
  ConsumerAssignment::Seek(*states.front(), offset);
  return absl::OkStatus();
}

absl::Status ConsumerImpl::SeekToBeginning(
    const std::vector<TopicPartition>& partitions) {
  RETURN_IF_ERROR(CheckOpen("SeekToBeginning"));
  ASSIGN_OR_RETURN(std::vector<PartitionState*> states,
                   AssignedStates(partitions, "SeekToBeginning"));
  for (PartitionState* state : states) {
    ASSIGN_OR_RETURN(Offset offset,
                     ListOffset(*state->tp, ListOffsetsSpec::kEarliest,
                                absl::Now() + kDefaultApiTimeout));
    ConsumerAssignment::Seek(*state, offset);
  }
  return absl::OkStatus();
}

absl::Status ConsumerImpl::SeekToEnd(
    const std::vector<TopicPartition>& partitions) {
  RETURN_IF_ERROR(CheckOpen("SeekToEnd"));
  ASSIGN_OR_RETURN(std::vector<PartitionState*> states,
                   AssignedStates(partitions, "SeekToEnd"));
  for (PartitionState* state : states) {
    ASSIGN_OR_RETURN(Offset offset,
                     ListOffset(*state->tp, ListOffsetsSpec::kLatest,
                                absl::Now() + kDefaultApiTimeout));
    ConsumerAssignment::Seek(*state, offset);
  }
  return absl::OkStatus();
}

absl::StatusOr<Offset> ConsumerImpl::Position(const TopicPartition& tp) {
  RETURN_IF_ERROR(CheckOpen("Position"));
  ASSIGN_OR_RETURN(std::vector<PartitionState*> states,
                   AssignedStates({tp}, "Position"));
  RETURN_IF_ERROR(ResolvePosition(*states.front(), /*report_errors=*/true));
  return states.front()->position;
}

absl::Status ConsumerImpl::Pause(
    const std::vector<TopicPartition>& partitions) {
  RETURN_IF_ERROR(CheckOpen("Pause"));
  if (partitions.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<PartitionState*> states,
                   AssignedStates(partitions, "Pause"));
  for (PartitionState* state : states) {
    if (state->paused) continue;
    state->paused = true;
    ConsumerAssignment::Invalidate(*state);  // drop what was fetched
  }
  return absl::OkStatus();
}

absl::Status ConsumerImpl::Resume(
    const std::vector<TopicPartition>& partitions) {
  RETURN_IF_ERROR(CheckOpen("Resume"));
  if (partitions.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<PartitionState*> states,
                   AssignedStates(partitions, "Resume"));
  for (PartitionState* state : states) state->paused = false;
  return absl::OkStatus();
}

std::vector<TopicPartition> ConsumerImpl::Paused() const {
  return assignment_.PausedPartitions();
}

absl::StatusOr<int64_t> ConsumerImpl::Lag(const TopicPartition& tp) {
  ASSIGN_OR_RETURN(Offset position, Position(tp));
  ASSIGN_OR_RETURN(PartitionOffsets offsets,
                   router_->CallLeader<PartitionOffsets>(
                       tp, absl::Now() + kDefaultApiTimeout,
                       [&](Broker& leader, LeaderEpoch) {
                         return leader.GetPartitionOffsets(tp);
                       }));
  const Offset end = options_.isolation_level == IsolationLevel::kReadCommitted
                         ? offsets.last_stable_offset
                         : offsets.high_watermark;
  return std::max<int64_t>(0, end - position);
}

}  // namespace rill::client
