// group_test_util.h — a group coordinator over real Logs on an in-memory file
// system, with a manual clock, and helpers that turn its callbacks into
// values a test can assert on.
//
//   CoordinatorFixture f;                       // 4 partitions, all loaded
//   JoinGroupResponse j = f.JoinNew("g", "c1"); // MEMBER_ID_REQUIRED dance
//   SyncGroupResponse s = f.SyncNow("g", j, {{j.member_id, "a"}});
//   f.clock->AdvanceMs(10'000);                 // sessions expire
//   f.Reopen();                                 // new coordinator, same logs
#ifndef RILL_TESTS_GROUP_GROUP_TEST_UTIL_H_
#define RILL_TESTS_GROUP_GROUP_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "rill/clock.h"
#include "rill/error.h"
#include "rill/group/group_coordinator.h"
#include "rill/group/group_log.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "status_test_util.h"

namespace rill::group_test {

inline constexpr int64_t kStartMs = 1'700'000'000'000;
inline constexpr int32_t kSessionMs = 10'000;
inline constexpr int32_t kRebalanceMs = 20'000;

// TestGroupLog is the offsets topic as one rill::Log per partition. Appends
// can be made to fail, or be held back and completed later (on the test's
// thread, as a replicated write would complete on another). Thread-safe.
class TestGroupLog final : public GroupLog {
 public:
  TestGroupLog(std::shared_ptr<io::FileSystem> fs, std::shared_ptr<Clock> clock,
               int32_t partitions) {
    for (int32_t p = 0; p < partitions; ++p) {
      absl::StatusOr<std::unique_ptr<Log>> log =
          Log::Open({.dir = "/data/__consumer_offsets-" + std::to_string(p),
                     .fs = fs,
                     .clock = clock});
      REQUIRE_OK(log);
      logs_.push_back(*std::move(log));
    }
  }

  int32_t num_partitions() const override {
    return static_cast<int32_t>(logs_.size());
  }

  void Append(int32_t partition, std::span<char> batch,
              AppendCallback done) override {
    bool fail = false;
    {
      absl::MutexLock lock(&mu_);
      fail = fail_appends_;
      if (!fail && hold_appends_) {
        held_.push_back({partition, std::string(batch.data(), batch.size()),
                         std::move(done)});
        return;
      }
      if (!fail) ++appended_;
    }
    if (fail) {
      done(MakeError(ErrorReason::kNotEnoughReplicas,
                     "test: appends are failing"));
      return;
    }
    absl::StatusOr<AppendInfo> info =
        logs_[partition]->Append(batch, AppendOptions{});
    if (info.ok()) {
      done(info->first_offset);
    } else {
      done(info.status());
    }
  }

  absl::StatusOr<LogReadResult> Read(int32_t partition, Offset offset,
                                     int64_t max_bytes) override {
    {
      absl::MutexLock lock(&mu_);
      if (block_reads_) {
        reads_waiting_++;
        changed_.SignalAll();
        while (block_reads_) changed_.Wait(&mu_);
        reads_waiting_--;
      }
    }
    return logs_[partition]->Read(offset, {.max_bytes = max_bytes});
  }

  // BlockReads makes reads wait until UnblockReads (to catch a load in the
  // act); WaitForBlockedRead returns once a read is waiting.
  void BlockReads() {
    absl::MutexLock lock(&mu_);
    block_reads_ = true;
  }
  void WaitForBlockedRead() {
    absl::MutexLock lock(&mu_);
    while (reads_waiting_ == 0) changed_.Wait(&mu_);
  }
  void UnblockReads() {
    absl::MutexLock lock(&mu_);
    block_reads_ = false;
    changed_.SignalAll();
  }
  absl::StatusOr<Offset> log_start_offset(int32_t partition) override {
    return logs_[partition]->log_start_offset();
  }

  void set_fail_appends(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_appends_ = fail;
  }
  void set_hold_appends(bool hold) {
    absl::MutexLock lock(&mu_);
    hold_appends_ = hold;
  }
  size_t held() {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }
  // ReleaseHeld appends the held batches now (in order) and answers them.
  void ReleaseHeld() {
    std::vector<Held> held;
    {
      absl::MutexLock lock(&mu_);
      held = std::move(held_);
      held_.clear();
    }
    for (Held& h : held) {
      Append(h.partition, std::span<char>(h.batch.data(), h.batch.size()),
             std::move(h.done));
    }
  }
  int64_t appended() {
    absl::MutexLock lock(&mu_);
    return appended_;
  }

  Log& log(int32_t partition) { return *logs_[partition]; }

  void Close() {
    for (auto& log : logs_) REQUIRE_OK(log->Close());
  }

 private:
  struct Held {
    int32_t partition;
    std::string batch;
    AppendCallback done;
  };

  std::vector<std::unique_ptr<Log>> logs_;
  absl::Mutex mu_;
  absl::CondVar changed_;
  bool block_reads_ ABSL_GUARDED_BY(mu_) = false;
  int reads_waiting_ ABSL_GUARDED_BY(mu_) = 0;
  bool fail_appends_ ABSL_GUARDED_BY(mu_) = false;
  bool hold_appends_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Held> held_ ABSL_GUARDED_BY(mu_);
  int64_t appended_ ABSL_GUARDED_BY(mu_) = 0;
};

// Answer holds what a callback was given; callbacks may run on the
// coordinator's timer thread. Copies share the slot.
template <typename T>
class Answer {
 public:
  absl::AnyInvocable<void(T)> Callback() {
    return [slot = slot_](T value) {
      absl::MutexLock lock(&slot->mu);
      slot->count++;
      slot->value = std::move(value);
    };
  }
  bool ready() const {
    absl::MutexLock lock(&slot_->mu);
    return slot_->value.has_value();
  }
  // times is how often the callback ran (must be at most once).
  int times() const {
    absl::MutexLock lock(&slot_->mu);
    return slot_->count;
  }
  // Wait blocks until the callback has run (for answers completed by
  // another thread), then returns its value.
  T Wait() const {
    absl::MutexLock lock(&slot_->mu);
    slot_->mu.Await(absl::Condition(&Slot::Ready, slot_.get()));
    return *slot_->value;
  }
  T get() const {
    absl::MutexLock lock(&slot_->mu);
    REQUIRE(slot_->value.has_value());
    return *slot_->value;
  }

 private:
  struct Slot {
    static bool Ready(Slot* slot) ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return slot->value.has_value();
    }
    absl::Mutex mu;
    std::optional<T> value ABSL_GUARDED_BY(mu);
    int count ABSL_GUARDED_BY(mu) = 0;
  };
  std::shared_ptr<Slot> slot_ = std::make_shared<Slot>();
};

// ReasonOf is the Kafka name of a status's reason, for readable failures.
inline std::string ReasonOf(const absl::Status& s) {
  return std::string(ErrorReasonName(GetErrorReason(s)));
}

// Protocols builds a protocol list with metadata "meta-<name>".
inline std::vector<GroupProtocol> Protocols(std::vector<std::string> names,
                                            const std::string& tag = "") {
  std::vector<GroupProtocol> out;
  for (std::string& n : names) out.push_back({n, "meta-" + n + tag});
  return out;
}

// CoordinatorFixture: a coordinator owning every partition of a TestGroupLog.
struct CoordinatorFixture {
  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMs);
  GroupCoordinatorConfig config = {.group_initial_rebalance_delay_ms = 0};
  int32_t partitions = 4;
  std::unique_ptr<TestGroupLog> log;
  std::unique_ptr<GroupCoordinator> coordinator;

  CoordinatorFixture() = default;
  ~CoordinatorFixture() {
    coordinator.reset();
    if (log) log->Close();
  }

  // Open starts a coordinator over the (possibly existing) logs and loads
  // every partition.
  void Open() {
    if (!log) log = std::make_unique<TestGroupLog>(fs, clock, partitions);
    absl::StatusOr<std::unique_ptr<GroupCoordinator>> c =
        GroupCoordinator::Open(
            {.log = log.get(), .clock = clock, .config = config});
    REQUIRE_OK(c);
    coordinator = *std::move(c);
    for (int32_t p = 0; p < partitions; ++p) {
      REQUIRE_OK(coordinator->LoadPartition(p));
    }
  }
  GroupCoordinator& gc() {
    if (!coordinator) Open();
    return *coordinator;
  }

  // Reopen closes the coordinator and the logs and opens both again, as a
  // broker restart does.
  void Reopen() {
    REQUIRE_OK(coordinator->Close());
    coordinator.reset();
    log->Close();
    log.reset();
    Open();
  }

  JoinGroupRequest JoinRequest(
      const std::string& group, const std::string& member_id = "",
      std::vector<GroupProtocol> protocols = Protocols({"range"})) {
    JoinGroupRequest r;
    r.group_id = group;
    r.member_id = member_id;
    r.session_timeout_ms = kSessionMs;
    r.rebalance_timeout_ms = kRebalanceMs;
    r.protocol_type = "consumer";
    r.protocols = std::move(protocols);
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    return r;
  }

  Answer<JoinGroupResponse> Join(JoinGroupRequest request) {
    Answer<JoinGroupResponse> answer;
    gc().JoinGroup(std::move(request), answer.Callback());
    return answer;
  }

  // JoinNew does the MEMBER_ID_REQUIRED dance for a new member and returns
  // the (maybe still waiting) answer to its second JoinGroup.
  Answer<JoinGroupResponse> JoinNew(JoinGroupRequest request) {
    request.member_id.clear();
    Answer<JoinGroupResponse> first = Join(request);
    REQUIRE(first.ready());
    REQUIRE(ReasonOf(first.get().status) == "MEMBER_ID_REQUIRED");
    REQUIRE(!first.get().member_id.empty());
    request.member_id = first.get().member_id;
    return Join(std::move(request));
  }
  JoinGroupResponse JoinNewNow(
      const std::string& group,
      std::vector<GroupProtocol> protocols = Protocols({"range"})) {
    Answer<JoinGroupResponse> a = JoinNew(JoinRequest(group, "", protocols));
    REQUIRE(a.ready());
    REQUIRE_OK(a.get().status);
    return a.get();
  }

  Answer<SyncGroupResponse> Sync(
      const std::string& group, const JoinGroupResponse& joined,
      std::vector<SyncGroupAssignment> assignments = {}) {
    SyncGroupRequest r;
    r.group_id = group;
    r.generation_id = joined.generation_id;
    r.member_id = joined.member_id;
    r.assignments = std::move(assignments);
    Answer<SyncGroupResponse> answer;
    gc().SyncGroup(std::move(r), answer.Callback());
    return answer;
  }

  absl::Status Heartbeat(const std::string& group, const std::string& member,
                         int32_t generation,
                         std::optional<std::string> instance = std::nullopt) {
    return gc().Heartbeat({.group_id = group,
                           .generation_id = generation,
                           .member_id = member,
                           .group_instance_id = std::move(instance)});
  }

  // Commit commits `offsets` and returns the per-partition answers (the
  // test log answers appends inline).
  std::vector<absl::Status> Commit(
      const std::string& group, int32_t generation, const std::string& member,
      std::vector<OffsetCommitPartition> offsets,
      std::optional<std::string> instance = std::nullopt) {
    Answer<OffsetCommitResponse> answer;
    gc().CommitOffsets({.group_id = group,
                        .generation_id = generation,
                        .member_id = member,
                        .group_instance_id = std::move(instance),
                        .offsets = std::move(offsets)},
                       answer.Callback());
    REQUIRE(answer.ready());
    return answer.get().partition_statuses;
  }

  // Committed is the committed offset of one partition (-1: none).
  int64_t Committed(const std::string& group, const TopicPartition& tp) {
    absl::StatusOr<std::vector<CommittedOffset>> fetched =
        gc().FetchOffsets(group, std::vector<TopicPartition>{tp});
    REQUIRE_OK(fetched);
    REQUIRE(fetched->size() == 1);
    return (*fetched)[0].offset.value();
  }

  // JoinMembers brings `protocols.size()` new members into `group` and
  // completes the rebalance: the first joins alone, the others join, and
  // the first rejoins. Returns their join answers in that order (the first
  // is the leader).
  std::vector<JoinGroupResponse> JoinMembers(
      const std::string& group,
      const std::vector<std::vector<GroupProtocol>>& protocols) {
    std::vector<Answer<JoinGroupResponse>> answers;
    JoinGroupResponse first = JoinNewNow(group, protocols[0]);
    for (size_t i = 1; i < protocols.size(); ++i) {
      answers.push_back(JoinNew(JoinRequest(group, "", protocols[i])));
      REQUIRE(!answers.back().ready());
    }
    Answer<JoinGroupResponse> rejoin =
        Join(JoinRequest(group, first.member_id, protocols[0]));
    std::vector<JoinGroupResponse> out;
    REQUIRE(rejoin.ready());
    out.push_back(rejoin.get());
    for (auto& a : answers) {
      REQUIRE(a.ready());
      out.push_back(a.get());
    }
    for (const JoinGroupResponse& j : out) {
      REQUIRE_OK(j.status);
      REQUIRE(j.generation_id == out[0].generation_id);
    }
    REQUIRE(out[0].leader == out[0].member_id);
    return out;
  }
  std::vector<JoinGroupResponse> JoinMembers(const std::string& group, int n) {
    return JoinMembers(group, std::vector<std::vector<GroupProtocol>>(
                                  n, Protocols({"range"})));
  }

  // SyncAll sends every member's SyncGroup (followers first, then the
  // leader with "assign-<i>" for member i) and requires each to succeed.
  std::vector<SyncGroupResponse> SyncAll(
      const std::string& group, const std::vector<JoinGroupResponse>& joins) {
    std::vector<Answer<SyncGroupResponse>> answers(joins.size());
    for (size_t i = 1; i < joins.size(); ++i) {
      answers[i] = Sync(group, joins[i]);
      REQUIRE(!answers[i].ready());
    }
    std::vector<SyncGroupAssignment> assignments;
    for (size_t i = 0; i < joins.size(); ++i) {
      assignments.push_back(
          {joins[i].member_id, "assign-" + std::to_string(i)});
    }
    answers[0] = Sync(group, joins[0], std::move(assignments));
    std::vector<SyncGroupResponse> out;
    for (size_t i = 0; i < joins.size(); ++i) {
      REQUIRE(answers[i].ready());
      REQUIRE_OK(answers[i].get().status);
      REQUIRE(answers[i].get().assignment == "assign-" + std::to_string(i));
      out.push_back(answers[i].get());
    }
    return out;
  }

  std::string State(const std::string& group) {
    absl::StatusOr<GroupDescription> d = gc().DescribeGroup(group);
    REQUIRE_OK(d);
    return d->state;
  }
};

inline TopicPartition Tp(const std::string& topic, int32_t partition) {
  return TopicPartition{topic, PartitionId(partition)};
}

inline OffsetCommitPartition At(const TopicPartition& tp, int64_t offset,
                                std::string metadata = "") {
  return OffsetCommitPartition{
      .tp = tp, .offset = Offset(offset), .metadata = std::move(metadata)};
}

}  // namespace rill::group_test

#endif  // RILL_TESTS_GROUP_GROUP_TEST_UTIL_H_
