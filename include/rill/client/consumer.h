// rill/client/consumer.h — an in-process Kafka consumer.
//
// Reads partitions it is assigned by hand (Assign) or as a member of a
// consumer group (Subscribe), with Kafka's semantics: committed offsets,
// auto.offset.reset, rebalance listeners, eager or cooperative rebalancing,
// pause/resume and seeks. Records are views of the fetched batches; a
// ConsumerRecords owns the bytes they point into.
//
// Over a BrokerDirectory (a cluster in one process) it fetches from each
// partition's leader (one fetch per leader) and sends group requests to the
// group's coordinator, and follows both when they move.
//
//   ASSIGN_OR_RETURN(auto consumer, rill::Consumer::Create(broker,
//       {.group_id = "billing", .auto_offset_reset =
//                                    rill::AutoOffsetReset::kEarliest}));
//   RETURN_IF_ERROR(consumer->Subscribe({"orders"}));
//   while (running) {
//     ASSIGN_OR_RETURN(rill::ConsumerRecords records, consumer->Poll(100));
//     for (const rill::ConsumerRecord& r : records) Handle(r.value);
//   }
//   RETURN_IF_ERROR(consumer->Close());   // commits and leaves the group
#ifndef RILL_CLIENT_CONSUMER_H_
#define RILL_CLIENT_CONSUMER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/broker/broker.h"
#include "rill/client/broker_directory.h"
#include "rill/clock.h"
#include "rill/record/record_batch.h"
#include "rill/types.h"

namespace rill {

namespace client {
class ConsumerRecordsBuilder;
}  // namespace client

// AutoOffsetReset: where to start without a committed offset, or after an
// out-of-range one (auto.offset.reset).
enum class AutoOffsetReset { kLatest, kEarliest, kNone };

// ConsumerOptions: Kafka consumer configs under their names.
struct ConsumerOptions {
  // group.id; empty: no group (Assign only, no commits). Default: empty.
  std::string group_id = {};
  // group.instance.id: static membership. Default: none.
  std::optional<std::string> group_instance_id = std::nullopt;
  // client.id. Default: "rill-consumer".
  std::string client_id = "rill-consumer";
  // auto.offset.reset. Default: latest.
  AutoOffsetReset auto_offset_reset = AutoOffsetReset::kLatest;
  // enable.auto.commit. Default: true.
  bool enable_auto_commit = true;
  // auto.commit.interval.ms. Default: 5000.
  int64_t auto_commit_interval_ms = 5000;
  // session.timeout.ms. Default: 45000.
  int32_t session_timeout_ms = 45000;
  // heartbeat.interval.ms. Default: 3000.
  int32_t heartbeat_interval_ms = 3000;
  // max.poll.interval.ms: the rebalance timeout. Default: 300000.
  int32_t max_poll_interval_ms = 300000;
  // partition.assignment.strategy, by Kafka name ("range", "roundrobin",
  // "cooperative-sticky"), in preference order. Default: range,
  // cooperative-sticky (Kafka 3's).
  std::vector<std::string> partition_assignment_strategy = {
      "range", "cooperative-sticky"};
  // fetch.min.bytes. Default: 1.
  int32_t fetch_min_bytes = 1;
  // fetch.max.wait.ms. Default: 500.
  int32_t fetch_max_wait_ms = 500;
  // fetch.max.bytes. Default: 52428800.
  int32_t fetch_max_bytes = 50 << 20;
  // max.partition.fetch.bytes. Default: 1048576.
  int32_t max_partition_fetch_bytes = 1 << 20;
  // max.poll.records. Default: 500.
  int32_t max_poll_records = 500;
  // isolation.level. Default: read_uncommitted.
  IsolationLevel isolation_level = IsolationLevel::kReadUncommitted;
  // check.crcs: verify each fetched batch's CRC. Default: true.
  bool check_crcs = true;
  // metadata.max.age.ms: partition leaders are looked up afresh this often
  // even without an error, so reading moves off a leader that was replaced
  // while it still answers (cut off from the rest of its cluster).
  // Default: 300000.
  int64_t metadata_max_age_ms = 300000;
  // Time source for heartbeats and auto-commit. Default: the broker's clock
  // (the first live one's in a cluster; with a ManualClock, heartbeats
  // happen as the test advances it).
  std::shared_ptr<Clock> clock = nullptr;

  // FromProperties reads Kafka-named properties (group.id,
  // group.instance.id, client.id, auto.offset.reset, enable.auto.commit,
  // auto.commit.interval.ms, session.timeout.ms, heartbeat.interval.ms,
  // max.poll.interval.ms, partition.assignment.strategy (Kafka's class
  // names or rill's short names), fetch.min.bytes, fetch.max.wait.ms,
  // fetch.max.bytes, max.partition.fetch.bytes, max.poll.records,
  // isolation.level, check.crcs, metadata.max.age.ms).
  static absl::StatusOr<ConsumerOptions> FromProperties(
      const std::map<std::string, std::string>& properties);
};

// ConsumerRecord is one fetched record; its views point into the
// ConsumerRecords that returned it.
struct ConsumerRecord {
  const TopicPartition* tp = nullptr;
  Offset offset;
  int64_t timestamp_ms = -1;
  record::TimestampType timestamp_type = record::TimestampType::kCreateTime;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::span<const record::RecordHeader> headers;
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
};

// ConsumerRecords is what one Poll returns. Move-only; owns the fetched
// bytes its records view.
class ConsumerRecords {
 public:
  ConsumerRecords() = default;
  ConsumerRecords(ConsumerRecords&&) = default;
  ConsumerRecords& operator=(ConsumerRecords&&) = default;
  ConsumerRecords(const ConsumerRecords&) = delete;
  ConsumerRecords& operator=(const ConsumerRecords&) = delete;

  auto begin() const { return records_.begin(); }
  auto end() const { return records_.end(); }
  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const ConsumerRecord& operator[](size_t i) const { return records_[i]; }

 private:
  friend class client::ConsumerRecordsBuilder;
  // What the records point into: fetched bytes, decoded batches and their
  // TopicPartitions, shared with the consumer (one fetch's bytes may serve
  // several Polls) and freed with the last ConsumerRecords that needs them.
  std::vector<std::shared_ptr<const void>> owners_;
  std::vector<ConsumerRecord> records_;
};

// OffsetAndMetadata is a committed position.
struct OffsetAndMetadata {
  Offset offset;
  std::string metadata = {};
  LeaderEpoch leader_epoch = LeaderEpoch(-1);
};

// RebalanceListener hears about partitions leaving and joining this
// consumer; it runs inside Poll on the polling thread (as Kafka's).
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // Before partitions are taken away (commit their offsets here).
  virtual void OnPartitionsRevoked(const std::vector<TopicPartition>&) {}
  // After partitions are given; positions are known.
  virtual void OnPartitionsAssigned(const std::vector<TopicPartition>&) {}
  // When partitions were lost without a chance to commit (the member was
  // removed from the group).
  virtual void OnPartitionsLost(const std::vector<TopicPartition>& lost) {
    OnPartitionsRevoked(lost);
  }
};

using CommitCallback = absl::AnyInvocable<void(absl::Status)>;

// Consumer reads from a broker, or from a cluster's brokers. Owned by its
// creator; the broker (or the directory's brokers) must outlive it. Not
// thread-safe, like Kafka's: call it from one thread at a time, except
// Wakeup(), which any thread may call.
class Consumer {
 public:
  // Create makes a consumer of `broker`.
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      Broker& broker, ConsumerOptions options);
  // Create makes a consumer of the cluster whose brokers `brokers` finds.
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      std::shared_ptr<BrokerDirectory> brokers, ConsumerOptions options);
  virtual ~Consumer() = default;

  // Subscribe joins the group (on the next Poll) for `topics`; needs a
  // group.id (kFailedPrecondition) and no manual assignment.
  virtual absl::Status Subscribe(
      const std::vector<std::string>& topics,
      std::shared_ptr<RebalanceListener> listener = nullptr) = 0;
  // Assign reads exactly these partitions, outside any group protocol.
  virtual absl::Status Assign(
      const std::vector<TopicPartition>& partitions) = 0;
  // Unsubscribe leaves the group (after an auto-commit) or drops the
  // manual assignment.
  virtual absl::Status Unsubscribe() = 0;
  virtual std::vector<TopicPartition> Assignment() const = 0;
  virtual std::vector<std::string> Subscription() const = 0;

  // Poll runs group duties (join, sync, revoke, assign, auto-commit) and
  // returns up to max.poll.records fetched records, waiting up to
  // timeout_ms (real time) for some.
  virtual absl::StatusOr<ConsumerRecords> Poll(int64_t timeout_ms) = 0;
  // Wakeup makes a blocked Poll return early (empty). Any thread.
  virtual void Wakeup() = 0;

  virtual absl::Status Seek(const TopicPartition& tp, Offset offset) = 0;
  virtual absl::Status SeekToBeginning(
      const std::vector<TopicPartition>& partitions) = 0;
  virtual absl::Status SeekToEnd(
      const std::vector<TopicPartition>& partitions) = 0;
  // Position is the offset of the next record Poll returns for `tp`.
  virtual absl::StatusOr<Offset> Position(const TopicPartition& tp) = 0;

  virtual absl::Status Pause(const std::vector<TopicPartition>& partitions) = 0;
  virtual absl::Status Resume(
      const std::vector<TopicPartition>& partitions) = 0;
  virtual std::vector<TopicPartition> Paused() const = 0;

  // CommitSync commits the positions of every assigned partition.
  virtual absl::Status CommitSync() = 0;
  // CommitSync (explicit) commits the given offsets.
  virtual absl::Status CommitSync(
      const std::map<TopicPartition, OffsetAndMetadata>& offsets) = 0;
  // CommitAsync commits the current positions; `done` runs on the polling
  // thread, inside a later Poll, CommitSync, CommitAsync or Close (in commit
  // order, as Kafka's).
  virtual void CommitAsync(CommitCallback done = nullptr) = 0;
  // Committed returns the group's committed offset for `tp`, or nullopt.
  virtual absl::StatusOr<std::optional<OffsetAndMetadata>> Committed(
      const TopicPartition& tp) = 0;
  // Lag is the high watermark minus the position.
  virtual absl::StatusOr<int64_t> Lag(const TopicPartition& tp) = 0;

  // member_id and generation of this consumer in its group ("" and -1
  // outside one).
  virtual std::string member_id() const = 0;
  virtual int32_t generation_id() const = 0;

  // Close commits (with auto-commit), tells the listener its partitions are
  // revoked, leaves the group and stops. A static member (group.instance.id)
  // sends no LeaveGroup, as in Kafka: its session times out, so a restart
  // within session.timeout.ms gets its partitions back without a
  // rebalance. Returns the commit's or LeaveGroup's error, if any.
  // Destroying an open consumer closes it.
  virtual absl::Status Close() = 0;
};

}  // namespace rill

#endif  // RILL_CLIENT_CONSUMER_H_
