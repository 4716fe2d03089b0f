// PartitionImpl: Partition over a rill::Log, single replica.
#include "broker/partition.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/log_scan.h"
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

// WithReason gives a Log error the ErrorReason a Kafka client acts on;
// `invalid_argument` is the reason for kInvalidArgument, which means bad
// input to the call that failed. Anything unexpected is a storage error
// (KAFKA_STORAGE_ERROR: the client refreshes metadata and retries).
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

// ReadError: a failed Log read or lookup, for a fetch or ListOffsets.
absl::Status ReadError(const absl::Status& status) {
  if (absl::IsOutOfRange(status)) {
    return MakeError(ErrorReason::kOffsetOutOfRange, Message(status));
  }
  return MakeError(ErrorReason::kKafkaStorageError, Message(status));
}

absl::Status ClosedError(const TopicPartition& tp) {
  return MakeError(ErrorReason::kNotLeaderOrFollower,
                   absl::StrCat("partition ", tp.ToString(), " is closed"));
}

class PartitionImpl final : public Partition {
 public:
  explicit PartitionImpl(PartitionOptions options)
      : tp_(std::move(options.tp)),
        log_(options.log),
        fs_(std::move(options.fs)),
        clock_(options.clock ? std::move(options.clock) : DefaultClock()),
        leader_epoch_(options.leader_epoch),
        producer_id_expiration_ms_(options.producer_id_expiration_ms),
        on_high_watermark_advance_(
            std::move(options.on_high_watermark_advance)) {}

  // Load rebuilds producer state: the newest usable snapshot, then the
  // headers of the batches after it.
  absl::Status Load() {
    absl::MutexLock lock(&append_mu_);
    const Offset end = log_->log_end_offset();
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
            producers_.Update(ProducerBatch::FromHeader(h),
                              Offset(h.base_offset), h.max_timestamp);
          }
          return absl::OkStatus();
        }));
    producers_.ExpireProducers(clock_->NowMs(), producer_id_expiration_ms_);
    high_watermark_.store(end.value());
    return absl::OkStatus();
  }

  const TopicPartition& tp() const override { return tp_; }
  Log& log() override { return *log_; }

  void Produce(std::span<char> batch, const ProduceOptions& options,
               ProduceCallback done) override {
    std::vector<PendingAck> ready;
    bool advanced = false;
    {
      absl::MutexLock lock(&append_mu_);
      absl::StatusOr<PendingAck> appended = AppendLocked(batch, options);
      if (!appended.ok()) {
        ready.push_back({.result = appended.status(), .done = std::move(done)});
      } else {
        // Single replica: what the log holds is committed.
        advanced = AdvanceHighWatermarkLocked(log_->log_end_offset(), &ready);
        appended->done = std::move(done);
        if (options.acks == Acks::kAll &&
            high_watermark() < appended->required_high_watermark) {
          pending_acks_.Add(appended->required_high_watermark,
                            std::move(appended->result),
                            std::move(appended->done));
        } else {
          ready.push_back(std::move(*appended));
        }
      }
    }
    if (advanced && on_high_watermark_advance_) on_high_watermark_advance_(tp_);
    RunAcks(ready);
  }

  FetchPartitionResult Read(const FetchPartitionRequest& request,
                            IsolationLevel isolation, int64_t max_bytes,
                            bool min_one_batch) override {
    FetchPartitionResult r;
    r.tp = tp_;
    const Offset hw = high_watermark();
    r.high_watermark = hw;
    r.last_stable_offset = hw;  // no transactions yet
    r.log_start_offset = log_->log_start_offset();
    if (closed_.load()) {
      r.status = ClosedError(tp_);
      return r;
    }
    const Offset end = log_->log_end_offset();
    r.records.log_start_offset = r.log_start_offset;
    r.records.log_end_offset = end;
    if (request.fetch_offset < r.log_start_offset ||
        request.fetch_offset > end) {
      r.status =
          MakeError(ErrorReason::kOffsetOutOfRange,
                    absl::StrCat("fetch offset ", request.fetch_offset.value(),
                                 " is outside [", r.log_start_offset.value(),
                                 ", ", end.value(), "] of ", tp_.ToString()));
      return r;
    }
    const Offset bound = Bound(isolation);
    if (request.fetch_offset >= bound) return r;  // nothing committed yet
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

  absl::StatusOr<ListOffsetsResult> ListOffsets(
      const ListOffsetsSpec& spec) override {
    if (closed_.load()) return ClosedError(tp_);
    ListOffsetsResult result{.leader_epoch = leader_epoch_};
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

  PartitionOffsets offsets() const override {
    const Offset hw = high_watermark();
    return {.log_start_offset = log_->log_start_offset(),
            .high_watermark = hw,
            .last_stable_offset = hw,
            .log_end_offset = log_->log_end_offset()};
  }

  Offset high_watermark() const override {
    return Offset(high_watermark_.load(std::memory_order_acquire));
  }

  absl::StatusOr<Offset> DeleteRecords(Offset before) override {
    if (closed_.load()) return ClosedError(tp_);
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

  absl::Status UpdateConfig(const LogConfig& config) override {
    return WithReason(log_->UpdateConfig(config), ErrorReason::kInvalidConfig);
  }

  absl::Status SnapshotProducerState() override {
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

  absl::Status Close() override {
    absl::MutexLock snapshot_lock(&snapshot_mu_);
    Offset offset;
    std::string encoded;
    std::vector<PendingAck> orphans;
    {
      absl::MutexLock lock(&append_mu_);
      if (closed_.load()) return absl::OkStatus();
      closed_.store(true);
      offset = log_->log_end_offset();
      encoded = EncodeProducerSnapshot(offset, producers_);
      orphans = pending_acks_.TakeAll();
    }
    RunAcks(orphans, ClosedError(tp_));
    return WriteProducerSnapshot(*fs_, log_->dir(), offset, encoded);
  }

 private:
  // Bound is the first offset a reader at `isolation` may not see.
  Offset Bound(IsolationLevel isolation) const {
    (void)isolation;  // the last stable offset is the high watermark for now
    return high_watermark();
  }

  // AppendLocked validates, checks the producer and appends. Returns the
  // answer to give (with the high watermark that completes an acks=all
  // produce) or the error; on error nothing has changed.
  absl::StatusOr<PendingAck> AppendLocked(std::span<char> batch,
                                          const ProduceOptions& options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_) {
    if (closed_.load()) return ClosedError(tp_);
    const LogConfig config = log_->config();
    ASSIGN_OR_RETURN(
        record::RecordBatchHeader header,
        ValidateProduceBatch(std::string_view(batch.data(), batch.size()),
                             config, options.allow_zstd));
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
    ASSIGN_OR_RETURN(AppendInfo info,
                     log_->Append(batch, {.leader_epoch = leader_epoch_}),
                     WithReason(_, ErrorReason::kInvalidRecord));
    producers_.Update(producer, info.first_offset, info.max_timestamp_ms);
    return PendingAck{
        .required_high_watermark = info.last_offset + 1,
        .result = ProduceResult{.base_offset = info.first_offset,
                                .log_append_time_ms = info.log_append_time_ms,
                                .log_start_offset = log_->log_start_offset()}};
  }

  // AdvanceHighWatermarkLocked moves the high watermark up to `hw` and
  // collects the acks=all answers it completes; true if it moved. (A
  // replication layer would call this as followers catch up.)
  bool AdvanceHighWatermarkLocked(Offset hw, std::vector<PendingAck>* ready)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_) {
    if (hw <= high_watermark()) return false;
    high_watermark_.store(hw.value(), std::memory_order_release);
    for (PendingAck& ack : pending_acks_.TakeSatisfied(hw)) {
      ready->push_back(std::move(ack));
    }
    return true;
  }

  // Constant after construction.
  const TopicPartition tp_;
  Log* const log_;
  const std::shared_ptr<io::FileSystem> fs_;
  const std::shared_ptr<Clock> clock_;
  const LeaderEpoch leader_epoch_;
  const int64_t producer_id_expiration_ms_;
  const std::function<void(const TopicPartition&)> on_high_watermark_advance_;

  // Serializes snapshot writes (file names may repeat); taken before
  // append_mu_ so that appends wait only while the state is encoded.
  absl::Mutex snapshot_mu_ ABSL_ACQUIRED_BEFORE(append_mu_);
  // Serializes appends with their producer checks.
  absl::Mutex append_mu_;
  ProducerStateTable producers_ ABSL_GUARDED_BY(append_mu_);
  PendingAcks pending_acks_ ABSL_GUARDED_BY(append_mu_);
  // Written under append_mu_; read anywhere.
  std::atomic<int64_t> high_watermark_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace

absl::StatusOr<std::unique_ptr<Partition>> Partition::Open(
    PartitionOptions options) {
  if (options.log == nullptr) {
    return absl::InvalidArgumentError("PartitionOptions.log is required");
  }
  if (options.fs == nullptr) {
    return absl::InvalidArgumentError("PartitionOptions.fs is required");
  }
  auto partition = std::make_unique<PartitionImpl>(std::move(options));
  RETURN_IF_ERROR(partition->Load());
  return partition;
}

}  // namespace rill::broker
