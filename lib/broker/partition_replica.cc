// PartitionImpl's replication: roles from metadata, the leader's view of its
// followers, and the follower's appends and truncations (partition_impl.h).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "broker/partition_impl.h"
#include "broker/producer_state.h"
#include "rill/error.h"
#include "rill/record/record_batch.h"
#include "util/status_macros.h"

namespace rill::broker {
RoleChange PartitionImpl::ApplyState(const replication::PartitionState& state) {
  RoleChange change;
  std::vector<PendingAck> ready;
  std::vector<PendingAck> orphans;
  {
    absl::MutexLock lock(&append_mu_);
    absl::MutexLock replica_lock(&replica_mu_);
    if (closed_.load()) return change;
    const bool leads = state.leader == self_;
    const bool new_epoch = state.leader_epoch != state_.leader_epoch;
    if (leads) {
      if (!leader_.load() || new_epoch) {
        tracker_.BecomeLeader(self_, state.replicas, state.isr,
                              clock_->NowMs());
        epoch_start_offset_ = log_->log_end_offset();
        change.became_leader = true;
      } else {
        tracker_.SetIsr(state.replicas, state.isr, clock_->NowMs());
      }
    } else {
      if (leader_.load()) orphans = pending_acks_.TakeAll();
      change.became_follower =
          leader_.load() || new_epoch || state.leader != state_.leader;
    }
    state_ = state;
    leader_epoch_.store(state.leader_epoch.value());
    leader_id_.store(state.leader.value());
    leader_.store(leads);
    if (leads) UpdateHighWatermarkLocked(&ready);
  }
  RunAcks(ready);
  RunAcks(orphans, NotLeaderError(tp_, state.leader));
  // Fetches parked here re-check: consumers of a former leader get
  // kNotLeaderOrFollower now rather than at their deadline.
  Notify();
  return change;
}

absl::StatusOr<FollowerFetch> PartitionImpl::RecordFollowerFetch(
    NodeId replica, LeaderEpoch current_leader_epoch, Offset fetch_offset) {
  FollowerFetch result;
  std::vector<PendingAck> ready;
  bool advanced;
  {
    absl::MutexLock lock(&replica_mu_);
    RETURN_IF_ERROR(CheckLeader(current_leader_epoch));
    if (!absl::c_linear_search(state_.replicas, replica)) {
      return MakeError(ErrorReason::kNotLeaderOrFollower,
                       absl::StrCat("broker ", replica.value(),
                                    " is not a replica of ", tp_.ToString()));
    }
    const Offset end = log_->log_end_offset();
    if (fetch_offset > end) {
      // Past the leader's end: the follower has not truncated yet.
      return MakeError(ErrorReason::kOffsetOutOfRange,
                       absl::StrCat("replica fetch offset ",
                                    fetch_offset.value(), " is past the end ",
                                    end.value(), " of ", tp_.ToString()));
    }
    tracker_.RecordFetch(replica, fetch_offset, end, clock_->NowMs());
    advanced = UpdateHighWatermarkLocked(&ready);
    result.wants_isr_change = !absl::c_linear_search(state_.isr, replica) &&
                              !tracker_.has_pending() &&
                              fetch_offset >= high_watermark() &&
                              fetch_offset >= epoch_start_offset_;
  }
  if (advanced) Notify();
  RunAcks(ready);
  return result;
}

std::optional<replication::AlterPartitionRequest>
PartitionImpl::ProposeIsrChange(int64_t lag_ms) {
  absl::MutexLock lock(&replica_mu_);
  if (closed_.load() || !leader_.load()) return std::nullopt;
  std::optional<std::vector<NodeId>> wanted = tracker_.WantedIsr(
      high_watermark(), epoch_start_offset_, clock_->NowMs(), lag_ms);
  if (!wanted) return std::nullopt;
  tracker_.SetPending(*wanted);
  return replication::AlterPartitionRequest{
      .leader_id = self_,
      .leader_broker_epoch = -1,
      .partition = tp_,
      .leader_epoch = state_.leader_epoch,
      .partition_epoch = state_.partition_epoch,
      .new_isr = *std::move(wanted)};
}

void PartitionImpl::IsrChangeDone() {
  absl::MutexLock lock(&replica_mu_);
  tracker_.ClearPending();
}

absl::StatusOr<EpochEndOffset> PartitionImpl::LeaderEndOffsetForEpoch(
    LeaderEpoch current_leader_epoch, LeaderEpoch epoch) {
  RETURN_IF_ERROR(CheckLeader(current_leader_epoch));
  return log_->EndOffsetForEpoch(epoch);
}

absl::Status PartitionImpl::CheckFollowerLocked(
    LeaderEpoch leader_epoch) const {
  if (closed_.load()) return ClosedError(tp_);
  // The atomics, not state_: they change only with append_mu_ held.
  if (leader_.load() || this->leader_epoch() != leader_epoch) {
    return NotLeaderError(tp_, NodeId(leader_id_.load()));
  }
  return absl::OkStatus();
}

absl::Status PartitionImpl::TruncateFromLeader(LeaderEpoch leader_epoch,
                                               Offset offset) {
  bool changed;
  {
    absl::MutexLock lock(&append_mu_);
    RETURN_IF_ERROR(CheckFollowerLocked(leader_epoch));
    if (offset >= log_->log_end_offset()) return absl::OkStatus();
    RETURN_IF_ERROR(log_->TruncateTo(offset));
    RETURN_IF_ERROR(ReloadProducersLocked());
    absl::MutexLock replica_lock(&replica_mu_);
    changed = SetHighWatermarkLocked(std::min(high_watermark(), offset));
  }
  if (changed) Notify();
  return absl::OkStatus();
}

absl::Status PartitionImpl::ResetFromLeader(LeaderEpoch leader_epoch,
                                            Offset offset) {
  absl::MutexLock lock(&append_mu_);
  RETURN_IF_ERROR(CheckFollowerLocked(leader_epoch));
  RETURN_IF_ERROR(log_->TruncateFullyAndStartAt(offset));
  RETURN_IF_ERROR(ReloadProducersLocked());
  absl::MutexLock replica_lock(&replica_mu_);
  SetHighWatermarkLocked(offset);
  return absl::OkStatus();
}

absl::Status PartitionImpl::AppendFromLeader(LeaderEpoch leader_epoch,
                                             std::span<char> batches,
                                             Offset leader_high_watermark,
                                             Offset leader_log_start_offset) {
  return FollowLeader(
      leader_epoch, leader_high_watermark, leader_log_start_offset,
      [&]() -> absl::StatusOr<std::vector<record::RecordBatchHeader>> {
        // Whole batches only (a fetch may end in a partial one), each
        // checked.
        record::BatchIterator it(
            std::string_view(batches.data(), batches.size()));
        std::vector<record::RecordBatchHeader> headers;
        while (it.Next()) {
          RETURN_IF_ERROR(it.batch().VerifyCrc());
          headers.push_back(it.batch().header());
        }
        RETURN_IF_ERROR(it.status());
        if (it.consumed() > 0) {
          RETURN_IF_ERROR(
              log_->Append(batches.first(it.consumed()),
                           {.assign_offsets = false, .crc_verified = true})
                  .status());
        }
        return headers;
      });
}

absl::Status PartitionImpl::AppendStoredFromLeader(
    LeaderEpoch leader_epoch, const LogReadResult& stored,
    Offset leader_high_watermark, Offset leader_log_start_offset) {
  return FollowLeader(
      leader_epoch, leader_high_watermark, leader_log_start_offset,
      [&]() -> absl::StatusOr<std::vector<record::RecordBatchHeader>> {
        ASSIGN_OR_RETURN(std::vector<record::RecordBatchHeader> headers,
                         stored.ReadHeaders());
        if (!headers.empty()) {
          // The leader checked these CRCs when it took the batches, from
          // the memory the bytes were then written from.
          RETURN_IF_ERROR(log_->AppendFrom(stored, {.assign_offsets = false,
                                                    .crc_verified = true})
                              .status());
        }
        return headers;
      });
}

absl::Status PartitionImpl::FollowLeader(
    LeaderEpoch leader_epoch, Offset leader_high_watermark,
    Offset leader_log_start_offset,
    absl::FunctionRef<absl::StatusOr<std::vector<record::RecordBatchHeader>>()>
        append) {
  bool changed;
  {
    absl::MutexLock lock(&append_mu_);
    RETURN_IF_ERROR(CheckFollowerLocked(leader_epoch));
    ASSIGN_OR_RETURN(std::vector<record::RecordBatchHeader> headers, append());
    for (const record::RecordBatchHeader& h : headers) {
      if (!h.is_control()) {
        producers_.Update(ProducerBatch::FromHeader(h), Offset(h.base_offset),
                          h.max_timestamp);
      }
    }
    if (leader_log_start_offset > log_->log_start_offset() &&
        leader_log_start_offset <= log_->log_end_offset()) {
      RETURN_IF_ERROR(log_->AdvanceLogStartOffset(leader_log_start_offset));
    }
    absl::MutexLock replica_lock(&replica_mu_);
    changed = SetHighWatermarkLocked(
        std::min(leader_high_watermark, log_->log_end_offset()));
  }
  if (changed) Notify();
  return absl::OkStatus();
}

}  // namespace rill::broker
