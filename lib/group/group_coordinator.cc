// GroupCoordinator::Open and the coordinator's plumbing: which partitions it
// owns, finding groups, timers, and writing group records.
#include "rill/group/group_coordinator.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "group/group_coordinator_impl.h"
#include "group/group_records.h"
#include "group/java_hash.h"
#include "group/partition_loader.h"
#include "rill/error.h"
#include "rill/record/record_batch.h"
#include "util/status_macros.h"

namespace rill {

absl::StatusOr<std::unique_ptr<GroupCoordinator>> GroupCoordinator::Open(
    GroupCoordinatorOptions options) {
  if (options.log == nullptr) {
    return absl::InvalidArgumentError(
        "GroupCoordinatorOptions.log is required");
  }
  if (options.log->num_partitions() <= 0) {
    return absl::InvalidArgumentError(
        "the group log must have at least one partition");
  }
  const GroupCoordinatorConfig& c = options.config;
  if (c.group_min_session_timeout_ms < 0 ||
      c.group_max_session_timeout_ms < c.group_min_session_timeout_ms) {
    return absl::InvalidArgumentError(
        "group.min.session.timeout.ms must be >= 0 and <= "
        "group.max.session.timeout.ms");
  }
  if (c.group_initial_rebalance_delay_ms < 0 || c.group_max_size < 1 ||
      c.offsets_retention_ms < 1 || c.offsets_retention_check_interval_ms < 1 ||
      c.offset_metadata_max_bytes < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid group coordinator config: group.initial.rebalance.delay.ms ",
        c.group_initial_rebalance_delay_ms, ", group.max.size ",
        c.group_max_size, ", offsets.retention.ms ", c.offsets_retention_ms,
        ", offsets.retention.check.interval.ms ",
        c.offsets_retention_check_interval_ms, ", offset.metadata.max.bytes ",
        c.offset_metadata_max_bytes));
  }
  if (options.clock == nullptr) options.clock = DefaultClock();
  auto coordinator =
      std::make_unique<group::GroupCoordinatorImpl>(std::move(options));
  coordinator->Start();
  return coordinator;
}

int32_t GroupCoordinator::PartitionFor(std::string_view group_id,
                                       int32_t num_partitions) {
  if (num_partitions <= 0) return 0;
  // Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE maps to 0.
  const int32_t hash = group::JavaStringHashCode(group_id);
  const int32_t abs = hash == std::numeric_limits<int32_t>::min()
                          ? 0
                          : (hash < 0 ? -hash : hash);
  return abs % num_partitions;
}

namespace group {

GroupCoordinatorImpl::GroupCoordinatorImpl(GroupCoordinatorOptions options)
    : config_(options.config),
      log_(options.log),
      clock_(std::move(options.clock)),
      num_partitions_(log_->num_partitions()),
      appends_(log_),
      timers_(clock_) {}

GroupCoordinatorImpl::~GroupCoordinatorImpl() { (void)Close(); }

void GroupCoordinatorImpl::Start() { ScheduleOffsetExpiry(); }

GroupCoordinatorImpl::Lookup GroupCoordinatorImpl::LookupGroup(
    std::string_view group_id, bool allow_empty_id, bool create) {
  if (group_id.empty() && !allow_empty_id) {
    return {MakeError(ErrorReason::kInvalidGroupId, "the group id is empty"),
            nullptr};
  }
  const int32_t partition = PartitionFor(group_id, num_partitions_);
  absl::MutexLock lock(&mu_);
  if (closed_) {
    return {MakeError(ErrorReason::kCoordinatorNotAvailable,
                      "the group coordinator is closed"),
            nullptr};
  }
  auto p = partitions_.find(partition);
  if (p == partitions_.end()) {
    return {MakeError(ErrorReason::kNotCoordinator,
                      absl::StrCat("__consumer_offsets-", partition,
                                   " is not loaded on this coordinator")),
            nullptr};
  }
  if (p->second == PartitionState::kLoading) {
    return {MakeError(ErrorReason::kCoordinatorLoadInProgress,
                      absl::StrCat("__consumer_offsets-", partition,
                                   " is being loaded")),
            nullptr};
  }
  const absl::string_view key(group_id.data(), group_id.size());
  auto it = groups_.find(key);
  if (it != groups_.end()) return {absl::OkStatus(), it->second};
  if (!create) return {absl::OkStatus(), nullptr};
  auto g = std::make_shared<Group>(std::string(group_id), partition, NowMs());
  groups_.emplace(std::string(group_id), g);
  return {absl::OkStatus(), std::move(g)};
}

void GroupCoordinatorImpl::DropGroup(const GroupRef& g) {
  absl::MutexLock lock(&mu_);
  auto it = groups_.find(g->id());
  if (it != groups_.end() && it->second == g) groups_.erase(it);
}

void GroupCoordinatorImpl::MakeDead(Group& g, const absl::Status& status,
                                    Completions& done) {
  for (auto& [id, m] : g.members()) {
    done.Join(std::exchange(m.join_callback, nullptr), JoinError(id, status));
    done.Sync(std::exchange(m.sync_callback, nullptr), SyncError(status));
    CancelHeartbeat(m);
  }
  for (auto& [id, slot] : g.pending_members) CancelTimer(slot);
  g.pending_members.clear();
  CancelTimer(g.join.timer);
  CancelTimer(g.sync_timer);
  g.TransitionTo(GroupState::kDead, NowMs());
}

absl::Status GroupCoordinatorImpl::LoadPartition(int32_t partition) {
  if (partition < 0 || partition >= num_partitions_) {
    return absl::InvalidArgumentError(
        absl::StrCat("__consumer_offsets has no partition ", partition));
  }
  {
    absl::MutexLock lock(&mu_);
    if (closed_) {
      return MakeError(ErrorReason::kCoordinatorNotAvailable,
                       "the group coordinator is closed");
    }
    // Loading a partition already owned (or being loaded) changes nothing.
    if (!partitions_.emplace(partition, PartitionState::kLoading).second) {
      return absl::OkStatus();
    }
  }
  absl::StatusOr<std::map<std::string, LoadedGroup>> loaded =
      ReplayPartition(*log_, partition);
  std::vector<GroupRef> groups;
  absl::Status status = loaded.status();
  const int64_t now = NowMs();
  if (status.ok()) {
    for (auto& [id, state] : *loaded) {
      auto g = std::make_shared<Group>(id, partition, now);
      absl::MutexLock lock(&g->mu);
      if (state.metadata.has_value()) {
        status = g->Restore(*state.metadata);
        if (!status.ok()) break;
      }
      g->offsets = std::move(state.offsets);
      groups.push_back(std::move(g));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    auto p = partitions_.find(partition);
    if (p == partitions_.end() || p->second != PartitionState::kLoading) {
      // Unloaded (or the coordinator closed) meanwhile: nothing to install.
      return status.ok() ? MakeError(ErrorReason::kNotCoordinator,
                                     "the partition was unloaded while "
                                     "loading")
                         : status;
    }
    if (!status.ok()) {
      partitions_.erase(p);
      return util::Annotate(
          status, absl::StrCat("loading __consumer_offsets-", partition));
    }
    for (const GroupRef& g : groups) groups_.insert_or_assign(g->id(), g);
    p->second = PartitionState::kLoaded;
  }
  // As Kafka's onGroupLoaded: restored members must heartbeat within their
  // session timeout, and a group over group.max.size rebalances.
  for (const GroupRef& g : groups) {
    Completions done(&appends_);
    absl::MutexLock lock(&g->mu);
    if (g->Is(GroupState::kDead)) continue;
    for (auto& [id, m] : g->members()) {
      ScheduleHeartbeat(*g, m, m.session_timeout_ms);
    }
    if (g->size() > static_cast<size_t>(config_.group_max_size)) {
      PrepareRebalance(*g, done);
    }
  }
  return absl::OkStatus();
}

void GroupCoordinatorImpl::UnloadPartition(int32_t partition) {
  std::vector<GroupRef> groups;
  {
    absl::MutexLock lock(&mu_);
    if (partitions_.erase(partition) == 0) return;
    for (auto it = groups_.begin(); it != groups_.end();) {
      if (it->second->partition() == partition) {
        groups.push_back(std::move(it->second));
        groups_.erase(it++);
      } else {
        ++it;
      }
    }
  }
  const absl::Status status = MakeError(
      ErrorReason::kNotCoordinator,
      absl::StrCat("__consumer_offsets-", partition, " was unloaded"));
  for (const GroupRef& g : groups) {
    Completions done(&appends_);
    absl::MutexLock lock(&g->mu);
    MakeDead(*g, status, done);
  }
}

absl::Status GroupCoordinatorImpl::Close() {
  std::vector<GroupRef> groups;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    for (auto& [id, g] : groups_) groups.push_back(g);
    groups_.clear();
    partitions_.clear();
  }
  const absl::Status status = MakeError(ErrorReason::kCoordinatorNotAvailable,
                                        "the group coordinator is closed");
  for (const GroupRef& g : groups) {
    Completions done(&appends_);
    absl::MutexLock lock(&g->mu);
    MakeDead(*g, status, done);
  }
  timers_.Shutdown();
  appends_.Close();
  appends_.WaitIdle();
  return absl::OkStatus();
}

// --- Timers. Each fires on the timer thread, holding its group weakly; an
// epoch that no longer matches means it was rescheduled or cancelled.

void GroupCoordinatorImpl::CancelTimer(TimerSlot& slot) {
  if (slot.id != 0) timers_.Cancel(slot.id);
  slot.id = 0;
  ++slot.epoch;
}

void GroupCoordinatorImpl::ScheduleHeartbeat(Group& g, Member& m,
                                             int64_t timeout_ms) {
  CancelHeartbeat(m);
  const uint64_t epoch = m.heartbeat_epoch;
  m.heartbeat_timer = timers_.ScheduleAfter(
      timeout_ms, [this, weak = g.weak_from_this(), id = m.member_id, epoch] {
        OnHeartbeatExpired(weak, id, epoch);
      });
}

void GroupCoordinatorImpl::CancelHeartbeat(Member& m) {
  if (m.heartbeat_timer != 0) timers_.Cancel(m.heartbeat_timer);
  m.heartbeat_timer = 0;
  ++m.heartbeat_epoch;
}

void GroupCoordinatorImpl::SchedulePendingMemberExpiry(
    Group& g, const std::string& member_id, int64_t timeout_ms) {
  TimerSlot& slot = g.pending_members[member_id];
  CancelTimer(slot);
  const uint64_t epoch = slot.epoch;
  slot.id = timers_.ScheduleAfter(
      timeout_ms, [this, weak = g.weak_from_this(), member_id, epoch] {
        OnPendingMemberExpired(weak, member_id, epoch);
      });
}

void GroupCoordinatorImpl::ScheduleJoinTimer(Group& g, int64_t delay_ms) {
  CancelTimer(g.join.timer);
  const uint64_t epoch = g.join.timer.epoch;
  g.join.timer.id = timers_.ScheduleAfter(
      delay_ms,
      [this, weak = g.weak_from_this(), epoch] { OnJoinTimer(weak, epoch); });
}

void GroupCoordinatorImpl::SchedulePendingSync(Group& g) {
  CancelTimer(g.sync_timer);
  const uint64_t epoch = g.sync_timer.epoch;
  g.sync_timer.id = timers_.ScheduleAfter(
      g.RebalanceTimeoutMs(),
      [this, weak = g.weak_from_this(), epoch, generation = g.generation()] {
        OnSyncTimer(weak, epoch, generation);
      });
}

// --- Writes.

namespace {

// BuildBatch encodes one batch of (key, value) records stamped `now_ms`; a
// nullopt value is a tombstone.
absl::StatusOr<std::string> BuildBatch(
    const std::vector<std::pair<std::string, std::optional<std::string>>>&
        records,
    int64_t now_ms) {
  record::RecordBatchBuilder builder;
  for (const auto& [key, value] : records) {
    record::Record r;
    r.timestamp_ms = now_ms;
    r.key = key;
    if (value.has_value()) r.value = std::string_view(*value);
    builder.Append(r);
  }
  return builder.Build();
}

}  // namespace

void GroupCoordinatorImpl::StoreGroup(
    Group& g, const Assignment* assignment,
    absl::AnyInvocable<void(absl::Status)> stored, Completions& done) {
  absl::StatusOr<std::string> key = EncodeGroupMetadataKey(g.id());
  absl::StatusOr<std::string> value =
      key.ok() ? EncodeGroupMetadataValue(g.ToRecord(assignment))
               : key.status();
  absl::StatusOr<std::string> batch =
      value.ok() ? BuildBatch({{*key, *value}}, NowMs()) : value.status();
  if (!batch.ok()) {
    // A record Kafka could not write either (e.g. a 40 KB client id).
    done.Later([stored = std::move(stored), error = batch.status()]() mutable {
      stored(MakeError(ErrorReason::kUnknownServerError,
                       std::string(error.message())));
    });
    return;
  }
  appends_.Enqueue(
      g.partition(), *std::move(batch),
      [stored = std::move(stored)](absl::StatusOr<Offset> result) mutable {
        stored(result.ok() ? absl::OkStatus()
                           : StoreErrorForGroup(result.status()));
      });
  done.DrainAppends();
}

void GroupCoordinatorImpl::QueueTombstones(
    Group& g, const std::vector<TopicPartition>& tps, bool group_too,
    Completions& done) {
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
  for (const TopicPartition& tp : tps) {
    absl::StatusOr<std::string> key = EncodeOffsetCommitKey(g.id(), tp);
    if (key.ok()) records.emplace_back(*std::move(key), std::nullopt);
  }
  if (group_too) {
    absl::StatusOr<std::string> key = EncodeGroupMetadataKey(g.id());
    if (key.ok()) records.emplace_back(*std::move(key), std::nullopt);
  }
  if (records.empty()) return;
  absl::StatusOr<std::string> batch = BuildBatch(records, NowMs());
  if (!batch.ok()) return;  // only oversized keys, which were never written
  // As Kafka, nothing waits for tombstones: if one is lost, the offsets
  // reappear on the next load and expire or get deleted again.
  appends_.Enqueue(g.partition(), *std::move(batch),
                   [](absl::StatusOr<Offset>) {});
  done.DrainAppends();
}

bool GroupCoordinatorImpl::RemoveIfEmptyAndUnused(
    Group& g, std::vector<TopicPartition> tombstones, Completions& done) {
  bool dead = false;
  if (g.Is(GroupState::kEmpty) && !g.HasOffsets()) {
    g.TransitionTo(GroupState::kDead, NowMs());
    dead = true;
  }
  // A group that never had a generation has no metadata record to delete.
  QueueTombstones(g, tombstones, dead && g.generation() > 0, done);
  return dead;
}

// --- Error translation (Kafka's GroupMetadataManager mappings).

namespace {

// StoreError is Kafka's GroupMetadataManager mapping of a failed write to
// the group log; group-metadata writes and offset commits differ only for a
// timeout and an oversized write.
absl::Status StoreError(const absl::Status& append_error, bool for_commit) {
  const std::string msg(append_error.message());
  switch (GetErrorReason(append_error)) {
    case ErrorReason::kUnknownTopicOrPartition:
    case ErrorReason::kNotEnoughReplicas:
    case ErrorReason::kNotEnoughReplicasAfterAppend:
    case ErrorReason::kNone:
      return MakeError(ErrorReason::kCoordinatorNotAvailable, msg);
    case ErrorReason::kNotLeaderOrFollower:
    case ErrorReason::kKafkaStorageError:
      return MakeError(ErrorReason::kNotCoordinator, msg);
    case ErrorReason::kRequestTimedOut:
      return for_commit ? append_error
                        : MakeError(ErrorReason::kRebalanceInProgress, msg);
    case ErrorReason::kMessageTooLarge:
    case ErrorReason::kRecordListTooLarge:
      return MakeError(for_commit ? ErrorReason::kInvalidCommitOffsetSize
                                  : ErrorReason::kUnknownServerError,
                       msg);
    default:
      return append_error;
  }
}

}  // namespace

absl::Status StoreErrorForGroup(const absl::Status& append_error) {
  return StoreError(append_error, /*for_commit=*/false);
}

absl::Status StoreErrorForCommit(const absl::Status& append_error) {
  return StoreError(append_error, /*for_commit=*/true);
}

}  // namespace group
}  // namespace rill
