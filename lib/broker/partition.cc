// PartitionImpl's client paths: produce, read, offsets (partition_impl.h).
#include <algorithm>
#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/log_scan.h"
#include "broker/partition_impl.h"
#include "broker/pending_acks.h"
#include "broker/produce_validator.h"
#include "broker/producer_state.h"
#include "broker/producer_state_snapshot.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::broker {
namespace {

std::string_view Message(const absl::Status& status) {
  const absl::string_view m = status.message();
  return std::string_view(m.data(), m.size());
}

// ReadError: a failed Log read or lookup, for a fetch or ListOffsets.
absl::Status ReadError(const absl::Status& status) {
  if (absl::IsOutOfRange(status)) {
    return MakeError(ErrorReason::kOffsetOutOfRange, Message(status));
  }
  return MakeError(ErrorReason::kKafkaStorageError, Message(status));
}

}  // namespace

absl::Status ClosedError(const TopicPartition& tp) {
  return MakeError(ErrorReason::kNotLeaderOrFollower,
                   absl::StrCat("partition ", tp.ToString(), " is closed"));
}

absl::Status NotLeaderError(const TopicPartition& tp, NodeId leader) {
  return MakeError(ErrorReason::kNotLeaderOrFollower,
                   absl::StrCat("this broker does not lead ", tp.ToString(),
                                "; the leader is broker ", leader.value()));
}

// Anything unexpected is a storage error (KAFKA_STORAGE_ERROR: the client
// refreshes metadata and retries).
absl::Status WithReason(const absl::Status& status,
                        ErrorReason invalid_argument) {
  if (status.ok() || GetErrorReason(status) != ErrorReason::kNone) {
    return status;
  }
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return MakeError(invalid_argument, Message(status));
    case absl::StatusCode::kDataLoss:
      return MakeError(ErrorReason::kCorruptMessage, Message(status));
    case absl::StatusCode::kOutOfRange:
      return MakeError(ErrorReason::kMessageTooLarge, Message(status));
    default:
      return MakeError(ErrorReason::kKafkaStorageError, Message(status));
  }
}

PartitionImpl::PartitionImpl(PartitionOptions options)
    : tp_(std::move(options.tp)),
      log_(options.log),
      fs_(std::move(options.fs)),
      clock_(options.clock ? std::move(options.clock) : DefaultClock()),
      self_(options.node_id),
      producer_id_expiration_ms_(options.producer_id_expiration_ms),
      timers_(options.timers),
      on_advance_(std::move(options.on_advance)) {
  min_isr_.store(options.min_insync_replicas);
  // Without metadata it leads alone.
  state_ = options.state.value_or(
      replication::PartitionState{.replicas = {self_},
                                  .isr = {self_},
                                  .leader = self_,
                                  .leader_epoch = options.leader_epoch,
                                  .partition_epoch = 0});
  leader_epoch_.store(state_.leader_epoch.value());
  leader_id_.store(state_.leader.value());
  leader_.store(state_.leader == self_);
}

absl::Status PartitionImpl::Load() {
  absl::MutexLock lock(&append_mu_);
  RETURN_IF_ERROR(ReloadProducersLocked());
  absl::MutexLock replica_lock(&replica_mu_);
  tracker_.BecomeLeader(self_, state_.replicas, state_.isr, clock_->NowMs());
  epoch_start_offset_ = log_->log_end_offset();
  // What was committed before is not known (the high watermark is not
  // kept on disk): start from the log start and let the ISR move it. A
  // replica leading alone has all of its log committed at once.
  high_watermark_.store(log_->log_start_offset().value());
  std::vector<PendingAck> none;
  UpdateHighWatermarkLocked(&none);
  return absl::OkStatus();
}

absl::Status PartitionImpl::ReloadProducersLocked() {
  const Offset end = log_->log_end_offset();
  producers_ = ProducerStateTable();
  // Used in place: moving the optional out trips g++ 12's
  // -Wmaybe-uninitialized (a false positive) at -O2.
  absl::StatusOr<std::optional<LoadedSnapshot>> loaded =
      LoadNewestProducerSnapshot(*fs_, log_->dir(), end);
  if (!loaded.ok()) return loaded.status();
  Offset from = log_->log_start_offset();
  if (loaded->has_value()) {
    LoadedSnapshot& snapshot = **loaded;
    producers_ = std::move(snapshot.table);
    from = std::max(from, snapshot.offset);
  }
  RETURN_IF_ERROR(ForEachBatchHeader(
      *log_, from, end, [this](const record::RecordBatchHeader& h) {
        append_mu_.AssertHeld();
        if (!h.is_control()) {
          producers_.Update(ProducerBatch::FromHeader(h), Offset(h.base_offset),
                            h.max_timestamp);
        }
        return absl::OkStatus();
      }));
  producers_.ExpireProducers(clock_->NowMs(), producer_id_expiration_ms_);
  return absl::OkStatus();
}

void PartitionImpl::Produce(std::span<char> batch,
                            const ProduceOptions& options,
                            ProduceCallback done) {
  std::vector<PendingAck> ready;
  bool notify = false;
  bool parked = false;
  {
    absl::MutexLock lock(&append_mu_);
    absl::StatusOr<PendingAck> appended = AppendLocked(batch, options);
    absl::MutexLock replica_lock(&replica_mu_);
    if (!appended.ok()) {
      ready.push_back({.result = appended.status(), .done = std::move(done)});
    } else {
      notify = UpdateHighWatermarkLocked(&ready) || state_.replicas.size() > 1;
      appended->done = std::move(done);
      if (options.acks == Acks::kAll &&
          high_watermark() < appended->required_high_watermark) {
        pending_acks_.Add(appended->required_high_watermark,
                          std::move(appended->result),
                          std::move(appended->done),
                          timers_ ? clock_->NowMs() + options.timeout_ms : -1);
        parked = true;
      } else {
        ready.push_back(std::move(*appended));
      }
    }
  }
  if (parked) ScheduleAckTimeout(options.timeout_ms);
  if (notify) Notify();
  RunAcks(ready);
}

absl::Status PartitionImpl::CheckLeader(LeaderEpoch epoch) const {
  if (closed_.load()) return ClosedError(tp_);
  // The epoch first, as Kafka does: a caller ahead of this broker's
  // metadata hears kUnknownLeaderEpoch (ask again soon, the news is on its
  // way), not that this broker does not lead (go and find the leader).
  const LeaderEpoch current = leader_epoch();
  if (epoch.value() >= 0 && epoch != current) {
    return MakeError(
        epoch < current ? ErrorReason::kFencedLeaderEpoch
                        : ErrorReason::kUnknownLeaderEpoch,
        absl::StrCat("leader epoch ", epoch.value(), " of ", tp_.ToString(),
                     " is not the current ", current.value()));
  }
  if (!leader_.load()) return NotLeaderError(tp_, NodeId(leader_id_.load()));
  return absl::OkStatus();
}

FetchPartitionResult PartitionImpl::Read(const FetchPartitionRequest& request,
                                         IsolationLevel isolation,
                                         int64_t max_bytes, bool min_one_batch,
                                         NodeId replica_id) {
  FetchPartitionResult r;
  r.tp = tp_;
  const Offset hw = high_watermark();
  r.high_watermark = hw;
  r.last_stable_offset = hw;  // no transactions yet
  r.log_start_offset = log_->log_start_offset();
  r.status = CheckLeader(request.current_leader_epoch);
  if (!r.status.ok()) return r;
  const Offset end = log_->log_end_offset();
  r.records.log_start_offset = r.log_start_offset;
  r.records.log_end_offset = end;
  if (request.fetch_offset < r.log_start_offset || request.fetch_offset > end) {
    r.status =
        MakeError(ErrorReason::kOffsetOutOfRange,
                  absl::StrCat("fetch offset ", request.fetch_offset.value(),
                               " is outside [", r.log_start_offset.value(),
                               ", ", end.value(), "] of ", tp_.ToString()));
    return r;
  }
  // Followers copy everything the leader has; consumers see what is
  // committed. A fetch naming a replica id that is not a follower of this
  // partition reads as a consumer's: uncommitted records stay unseen.
  bool follower = false;
  if (replica_id.value() >= 0 && replica_id != self_) {
    absl::MutexLock lock(&replica_mu_);
    follower = absl::c_linear_search(state_.replicas, replica_id);
  }
  const Offset bound = follower ? end : Bound(isolation);
  if (request.fetch_offset >= bound) return r;
  absl::StatusOr<LogReadResult> read = log_->Read(
      request.fetch_offset, {.max_bytes = std::max<int64_t>(max_bytes, 0),
                             .max_offset = bound,
                             .min_one_batch = min_one_batch});
  if (!read.ok()) {
    r.status = ReadError(read.status());
    return r;
  }
  r.records = *std::move(read);
  r.log_start_offset = r.records.log_start_offset;
  return r;
}

absl::StatusOr<ListOffsetsResult> PartitionImpl::ListOffsets(
    const ListOffsetsSpec& spec) {
  RETURN_IF_ERROR(CheckLeader(LeaderEpoch(-1)));
  ListOffsetsResult result{.leader_epoch = leader_epoch()};
  const Offset bound = Bound(spec.isolation);
  switch (spec.timestamp) {
    case ListOffsetsSpec::kEarliest:
      result.offset = log_->log_start_offset();
      return result;
    case ListOffsetsSpec::kLatest:
      result.offset = bound;
      return result;
    case ListOffsetsSpec::kMaxTimestamp: {
      ASSIGN_OR_RETURN(std::optional<TimestampOffset> found,
                       FindMaxTimestamp(*log_, bound), ReadError(_));
      if (found) {
        result.offset = found->offset;
        result.timestamp_ms = found->timestamp_ms;
      }
      return result;
    }
    default:
      break;
  }
  if (spec.timestamp < 0) {
    return MakeError(
        ErrorReason::kInvalidRequest,
        absl::StrCat("unsupported ListOffsets timestamp ", spec.timestamp));
  }
  ASSIGN_OR_RETURN(std::optional<TimestampOffset> found,
                   log_->FindOffsetByTimestamp(spec.timestamp), ReadError(_));
  if (found && found->offset < bound) {
    result.offset = found->offset;
    result.timestamp_ms = found->timestamp_ms;
  }
  return result;
}

PartitionOffsets PartitionImpl::offsets() const {
  const Offset hw = high_watermark();
  return {.log_start_offset = log_->log_start_offset(),
          .high_watermark = hw,
          .last_stable_offset = hw,
          .log_end_offset = log_->log_end_offset()};
}

absl::StatusOr<Offset> PartitionImpl::DeleteRecords(Offset before) {
  RETURN_IF_ERROR(CheckLeader(LeaderEpoch(-1)));
  const Offset hw = high_watermark();
  const Offset target = before == Offset(-1) ? hw : before;
  if (target < Offset(0) || target > hw) {
    return MakeError(ErrorReason::kOffsetOutOfRange,
                     absl::StrCat("cannot delete records before ",
                                  before.value(), ": the high watermark of ",
                                  tp_.ToString(), " is ", hw.value()));
  }
  if (target > log_->log_start_offset()) {
    if (absl::Status s = log_->AdvanceLogStartOffset(target); !s.ok()) {
      return ReadError(s);
    }
  }
  return log_->log_start_offset();
}

absl::Status PartitionImpl::UpdateConfig(const LogConfig& config) {
  return WithReason(log_->UpdateConfig(config), ErrorReason::kInvalidConfig);
}

absl::Status PartitionImpl::SnapshotProducerState() {
  absl::MutexLock snapshot_lock(&snapshot_mu_);
  Offset offset;
  std::string encoded;
  {
    absl::MutexLock lock(&append_mu_);
    if (closed_.load()) return ClosedError(tp_);
    producers_.ExpireProducers(clock_->NowMs(), producer_id_expiration_ms_);
    offset = log_->log_end_offset();
    encoded = EncodeProducerSnapshot(offset, producers_);
  }
  return WriteProducerSnapshot(*fs_, log_->dir(), offset, encoded);
}

absl::Status PartitionImpl::Close() { return CloseWith(/*snapshot=*/true); }

void PartitionImpl::CloseAbruptly() { (void)CloseWith(/*snapshot=*/false); }

absl::Status PartitionImpl::CloseWith(bool snapshot) {
  absl::MutexLock snapshot_lock(&snapshot_mu_);
  Offset offset;
  std::string encoded;
  std::vector<PendingAck> orphans;
  {
    absl::MutexLock lock(&append_mu_);
    if (closed_.load()) return absl::OkStatus();
    closed_.store(true);
    offset = log_->log_end_offset();
    if (snapshot) encoded = EncodeProducerSnapshot(offset, producers_);
    absl::MutexLock replica_lock(&replica_mu_);
    orphans = pending_acks_.TakeAll();
  }
  RunAcks(orphans, ClosedError(tp_));
  if (!snapshot) return absl::OkStatus();
  return WriteProducerSnapshot(*fs_, log_->dir(), offset, encoded);
}

Offset PartitionImpl::Bound(IsolationLevel isolation) const {
  (void)isolation;  // the last stable offset is the high watermark for now
  return high_watermark();
}

absl::StatusOr<PendingAck> PartitionImpl::AppendLocked(
    std::span<char> batch, const ProduceOptions& options) {
  RETURN_IF_ERROR(CheckLeader(LeaderEpoch(-1)));
  // Both constant while append_mu_ is held (role changes take it too).
  const LeaderEpoch epoch = leader_epoch();
  size_t isr_size;
  {
    absl::MutexLock lock(&replica_mu_);
    isr_size = state_.isr.size();
  }
  const LogConfig config = log_->config();
  ASSIGN_OR_RETURN(
      record::RecordBatchHeader header,
      ValidateProduceBatch(std::string_view(batch.data(), batch.size()), config,
                           options.allow_zstd));
  // acks=all needs min.insync.replicas in the ISR before it appends.
  const int32_t min_isr = min_isr_.load();
  if (options.acks == Acks::kAll && static_cast<int32_t>(isr_size) < min_isr) {
    return MakeError(
        ErrorReason::kNotEnoughReplicas,
        absl::StrCat(tp_.ToString(), " has ", isr_size,
                     " in-sync replica(s); min.insync.replicas is ", min_isr));
  }
  const ProducerBatch producer = ProducerBatch::FromHeader(header);
  ASSIGN_OR_RETURN(std::optional<BatchMetadata> duplicate,
                   producers_.Check(producer));
  const bool log_append_time =
      config.message_timestamp_type == record::TimestampType::kLogAppendTime;
  if (duplicate) {
    return PendingAck{
        .required_high_watermark = duplicate->last_offset + 1,
        .result = ProduceResult{
            .base_offset = duplicate->first_offset,
            .log_append_time_ms = log_append_time ? duplicate->timestamp_ms
                                                  : record::kNoTimestamp,
            .log_start_offset = log_->log_start_offset()}};
  }
  ASSIGN_OR_RETURN(
      AppendInfo info,
      // ValidateProduceBatch checked the CRC.
      log_->Append(batch, {.leader_epoch = epoch, .crc_verified = true}),
      WithReason(_, ErrorReason::kInvalidRecord));
  producers_.Update(producer, info.first_offset, info.max_timestamp_ms);
  return PendingAck{
      .required_high_watermark = info.last_offset + 1,
      .result = ProduceResult{.base_offset = info.first_offset,
                              .log_append_time_ms = info.log_append_time_ms,
                              .log_start_offset = log_->log_start_offset()}};
}

bool PartitionImpl::UpdateHighWatermarkLocked(std::vector<PendingAck>* ready) {
  if (!leader_.load()) return false;
  const auto isr = static_cast<int32_t>(state_.isr.size());
  const int32_t min_isr = min_isr_.load();
  if (isr < min_isr) {
    // Written, but the ISR can no longer acknowledge them: answered now
    // rather than left to time out. A retry is refused before appending
    // until the ISR recovers; then the duplicate waits for the high
    // watermark like the original.
    for (PendingAck& ack : pending_acks_.TakeAll()) {
      if (ack.result.ok()) {
        ack.result = MakeError(
            ErrorReason::kNotEnoughReplicasAfterAppend,
            absl::StrCat(tp_.ToString(), " was written but its ISR shrank to ",
                         isr, ", below min.insync.replicas ", min_isr));
      }
      ready->push_back(std::move(ack));
    }
  }
  // KIP-966: below min.insync.replicas (capped at the replica count)
  // nothing more is committed, so a replica leaving the ISR meanwhile keeps
  // every committed record and may lead later (the controller's ELR).
  if (isr < std::min(min_isr, static_cast<int32_t>(state_.replicas.size()))) {
    return false;
  }
  const Offset hw = tracker_.HighWatermark(log_->log_end_offset());
  if (hw <= high_watermark()) return false;
  high_watermark_.store(hw.value(), std::memory_order_release);
  for (PendingAck& ack : pending_acks_.TakeSatisfied(hw)) {
    ready->push_back(std::move(ack));
  }
  return true;
}

bool PartitionImpl::SetHighWatermarkLocked(Offset hw) {
  if (hw == high_watermark()) return false;
  high_watermark_.store(hw.value(), std::memory_order_release);
  return true;
}

void PartitionImpl::ScheduleAckTimeout(int64_t timeout_ms) {
  if (timers_ == nullptr) return;
  timers_->ScheduleAfter(
      timeout_ms, [weak = std::weak_ptr<PartitionImpl>(shared_from_this())] {
        if (auto self = weak.lock()) self->ExpireAcks();
      });
}

void PartitionImpl::ExpireAcks() {
  std::vector<PendingAck> expired;
  {
    absl::MutexLock lock(&replica_mu_);
    expired = pending_acks_.TakeExpired(clock_->NowMs());
  }
  RunAcks(expired,
          MakeError(ErrorReason::kRequestTimedOut,
                    absl::StrCat("acks=all write to ", tp_.ToString(),
                                 " timed out waiting for in-sync replicas")));
}

absl::StatusOr<std::shared_ptr<Partition>> Partition::Open(
    PartitionOptions options) {
  if (options.log == nullptr) {
    return absl::InvalidArgumentError("PartitionOptions.log is required");
  }
  if (options.fs == nullptr) {
    return absl::InvalidArgumentError("PartitionOptions.fs is required");
  }
  auto partition = std::make_shared<PartitionImpl>(std::move(options));
  RETURN_IF_ERROR(partition->Load());
  return partition;
}

}  // namespace rill::broker
