// client_test_util.h — an in-memory broker on a manual clock, producing
// test records, and driving consumers' Polls for the client tests.
#ifndef RILL_TESTS_CLIENT_CLIENT_TEST_UTIL_H_
#define RILL_TESTS_CLIENT_CLIENT_TEST_UTIL_H_

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "rill/broker/broker.h"
#include "rill/client/consumer.h"
#include "rill/record/record_batch.h"
#include "status_test_util.h"

namespace rill::test {

// TestRecord is one record to produce.
struct TestRecord {
  std::optional<std::string> key = std::nullopt;
  std::optional<std::string> value = std::nullopt;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers = {};
  int64_t timestamp_ms = 1'000;
};

// ClientEnv is a broker with in-memory storage and a manual clock; group
// rebalances start at once and sessions may be short.
struct ClientEnv {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(1'000'000);
  std::unique_ptr<Broker> broker;

  ClientEnv() {
    BrokerOptions options{.clock = clock};
    options.offsets_topic_num_partitions = 4;
    options.maintenance_interval_ms = 0;
    options.group.group_min_session_timeout_ms = 10;
    options.group.group_initial_rebalance_delay_ms = 0;
    auto opened = Broker::Open(std::move(options));
    REQUIRE_OK(opened);
    broker = *std::move(opened);
  }
  ~ClientEnv() {
    if (broker) (void)broker->Close();
  }

  void CreateTopic(const std::string& name, int32_t partitions) {
    REQUIRE_OK(
        broker->CreateTopic({.name = name, .num_partitions = partitions}));
  }

  // Produce appends `records` as one batch and returns its base offset.
  Offset Produce(const TopicPartition& tp,
                 const std::vector<TestRecord>& records,
                 record::BatchOptions options = {}) {
    record::RecordBatchBuilder builder(options);
    for (const TestRecord& r : records) {
      record::Record rec{.timestamp_ms = r.timestamp_ms};
      if (r.key) rec.key = *r.key;
      if (r.value) rec.value = *r.value;
      for (const auto& [k, v] : r.headers) {
        rec.headers.push_back(
            {.key = k,
             .value = v ? std::optional<std::string_view>(*v) : std::nullopt});
      }
      builder.Append(rec);
    }
    absl::StatusOr<std::string> batch = builder.Build();
    REQUIRE_OK(batch);
    absl::Notification done;
    absl::StatusOr<ProduceResult> result;
    broker->Produce(tp, std::span<char>(batch->data(), batch->size()), {},
                    [&](absl::StatusOr<ProduceResult> r) {
                      result = std::move(r);
                      done.Notify();
                    });
    REQUIRE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
    REQUIRE_OK(result);
    return result->base_offset;
  }

  // ProduceValues appends `count` records with values "<prefix><i>" and
  // keys "k<i>", `per_batch` records per batch.
  void ProduceValues(const TopicPartition& tp, int count,
                     const std::string& prefix = "v", int per_batch = 10) {
    for (int start = 0; start < count; start += per_batch) {
      std::vector<TestRecord> batch;
      for (int i = start; i < std::min(count, start + per_batch); ++i) {
        batch.push_back({.key = "k" + std::to_string(i),
                         .value = prefix + std::to_string(i)});
      }
      Produce(tp, batch);
    }
  }

  std::unique_ptr<Consumer> NewConsumer(ConsumerOptions options) {
    auto consumer = Consumer::Create(*broker, std::move(options));
    REQUIRE_OK(consumer);
    return *std::move(consumer);
  }
};

// Polled is what a consumer returned, copied out of its ConsumerRecords.
struct Polled {
  TopicPartition tp;
  Offset offset;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

inline void Append(const ConsumerRecords& records, std::vector<Polled>* out) {
  for (const ConsumerRecord& r : records) {
    out->push_back(
        {*r.tp, r.offset,
         r.key ? std::optional<std::string>(std::string(*r.key)) : std::nullopt,
         r.value ? std::optional<std::string>(std::string(*r.value))
                 : std::nullopt});
  }
}

// PollUntil polls (10 ms at a time) until `count` records came back or 5 s
// of real time passed.
inline std::vector<Polled> PollUntil(Consumer& consumer, size_t count) {
  std::vector<Polled> out;
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (out.size() < count && absl::Now() < give_up) {
    auto records = consumer.Poll(10);
    REQUIRE_OK(records);
    Append(*records, &out);
  }
  return out;
}

// Settle polls every consumer (briefly, in turn) and advances the manual
// clock by `step_ms` between rounds, so heartbeats run, until `done` holds
// (at most `max_rounds` rounds and 10 s of real time). Returns whether it
// held.
inline bool Settle(ClientEnv& env, std::vector<Consumer*> consumers,
                   const std::function<bool()>& done, int64_t step_ms = 50,
                   int max_rounds = 400) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  for (int round = 0; round < max_rounds && absl::Now() < give_up; ++round) {
    for (Consumer* c : consumers) {
      auto records = c->Poll(1);
      REQUIRE_OK(records);
    }
    if (done()) return true;
    env.clock->AdvanceMs(step_ms);
  }
  return done();
}

// RecordingListener logs rebalance callbacks, e.g. "revoked:t-0,t-1".
class RecordingListener : public RebalanceListener {
 public:
  void OnPartitionsRevoked(const std::vector<TopicPartition>& p) override {
    Log("revoked", p);
  }
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override {
    Log("assigned", p);
  }
  void OnPartitionsLost(const std::vector<TopicPartition>& p) override {
    Log("lost", p);
  }
  std::vector<std::string> events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  void Clear() {
    absl::MutexLock lock(&mu_);
    events_.clear();
  }

 private:
  void Log(const std::string& what, const std::vector<TopicPartition>& p) {
    std::string line = what + ":";
    for (size_t i = 0; i < p.size(); ++i) {
      line += (i ? "," : "") + p[i].ToString();
    }
    absl::MutexLock lock(&mu_);
    events_.push_back(line);
  }
  mutable absl::Mutex mu_;
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
};

inline TopicPartition TP(const std::string& topic, int32_t partition) {
  return {.topic = topic, .partition = PartitionId(partition)};
}

}  // namespace rill::test

#endif  // RILL_TESTS_CLIENT_CLIENT_TEST_UTIL_H_
