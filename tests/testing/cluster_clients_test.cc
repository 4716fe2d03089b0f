// In-process clients of a three-broker EmbeddedCluster: producers write to
// each partition's leader and follow it when it moves; consumer groups
// follow their coordinator; admin requests reach leaders and coordinators.
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "rill/error.h"
#include "rill/testing/embedded_cluster.h"
#include "status_test_util.h"
#include "testing/cluster_test_util.h"
#include "util/status_macros.h"

namespace rill::testing {
namespace {

using test::Describe;
using test::LogEnd;
using test::ThreeBrokers;
using test::WaitFor;

// ReadValues reads `tp` from offset 0 through a fresh consumer of the
// cluster until `count` values came back or 10 s passed.
std::vector<std::string> ReadValues(EmbeddedCluster& cluster,
                                    const TopicPartition& tp, size_t count) {
  auto consumer =
      cluster.NewConsumer({.auto_offset_reset = AutoOffsetReset::kEarliest});
  REQUIRE_OK(consumer->Assign({tp}));
  std::vector<std::string> values;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (values.size() < count && absl::Now() < give_up) {
    ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(50));
    for (const ConsumerRecord& r : records) {
      values.emplace_back(r.value.value_or(""));
    }
  }
  return values;
}

// Node ids are broker indexes in an EmbeddedCluster.
Broker& BrokerOf(EmbeddedCluster& cluster, NodeId node) {
  return cluster.broker(node.value());
}

TEST_CASE(
    "a producer's acks=all records reach the leaders of a topic's "
    "partitions on several brokers",
    "[replication][client]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 6, {{"min.insync.replicas", "2"}}));
  std::set<NodeId> leaders;
  for (int p = 0; p < 6; ++p) {
    leaders.insert(Describe(cluster, {"t", PartitionId(p)}).leader);
  }
  REQUIRE(leaders.size() > 1);  // the test means something

  auto producer = cluster.NewProducer({.linger_ms = 0});
  std::atomic<int> acked{0};
  for (int i = 0; i < 60; ++i) {
    REQUIRE_OK(producer->Send({.topic = "t",
                               .partition = PartitionId(i % 6),
                               .value = absl::StrCat("v", i)},
                              [&, i](absl::StatusOr<RecordMetadata> m) {
                                CHECK_OK(m);
                                if (m.ok()) {
                                  CHECK(m->tp.partition == PartitionId(i % 6));
                                  CHECK(m->offset == Offset(i / 6));
                                  ++acked;
                                }
                              }));
  }
  REQUIRE_OK(producer->Flush());
  CHECK(acked == 60);
  for (int p = 0; p < 6; ++p) {
    const TopicPartition tp{"t", PartitionId(p)};
    const PartitionDescription d = Describe(cluster, tp);
    // Acknowledged: the leader's high watermark covers every record, and
    // every in-sync replica has them.
    ASSIGN_OR_REQUIRE(PartitionOffsets offsets,
                      BrokerOf(cluster, d.leader).GetPartitionOffsets(tp));
    CHECK(offsets.high_watermark == Offset(10));
    for (NodeId replica : d.isr) {
      CHECK(LogEnd(BrokerOf(cluster, replica), tp) >= Offset(10));
    }
    std::vector<std::string> expected;
    for (int i = p; i < 60; i += 6) expected.push_back(absl::StrCat("v", i));
    CHECK(ReadValues(cluster, tp, 10) == expected);
  }
}

TEST_CASE(
    "a producer keeps producing across its leader's restart or crash, "
    "losing and duplicating nothing",
    "[replication][client]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  const PartitionDescription before = Describe(cluster, tp);
  const int leader = before.leader.value();
  std::function<absl::Status()> fault;
  SECTION("the leader restarts") {
    fault = [&] { return cluster.Restart(leader); };
  }
  SECTION("the leader crashes, losing what it did not sync, and comes back") {
    fault = [&] {
      RETURN_IF_ERROR(cluster.KillBroker(leader));
      return cluster.StartBroker(leader);
    };
  }

  constexpr int kRecords = 3000;
  auto producer = cluster.NewProducer({.batch_size = 1024, .linger_ms = 1});
  std::atomic<int> acked{0};
  absl::Mutex mu;
  std::vector<absl::Status> failures;
  std::thread sender([&] {
    for (int i = 0; i < kRecords; ++i) {
      absl::Status sent =
          producer->Send({.topic = "t", .value = absl::StrCat(i)},
                         [&](absl::StatusOr<RecordMetadata> m) {
                           if (m.ok()) {
                             ++acked;
                           } else {
                             absl::MutexLock lock(&mu);
                             failures.push_back(m.status());
                           }
                         });
      if (!sent.ok()) {
        absl::MutexLock lock(&mu);
        failures.push_back(sent);
      }
    }
    absl::Status flushed = producer->Flush();
    if (!flushed.ok()) {
      absl::MutexLock lock(&mu);
      failures.push_back(flushed);
    }
  });
  // The fault strikes while records are flowing.
  const bool flowing = WaitFor([&] { return acked.load() >= kRecords / 4; });
  if (flowing) CHECK_OK(fault());
  sender.join();
  REQUIRE(flowing);
  {
    absl::MutexLock lock(&mu);
    for (const absl::Status& failure : failures) CHECK_OK(failure);
  }
  CHECK(acked == kRecords);
  const PartitionDescription after = Describe(cluster, tp);
  CHECK(after.leader_epoch > before.leader_epoch);

  // Every record once, in the order sent.
  std::vector<std::string> values = ReadValues(cluster, tp, kRecords);
  REQUIRE(values.size() == kRecords);
  for (int i = 0; i < kRecords; ++i) {
    if (values[i] != absl::StrCat(i)) {
      FAIL("record " << i << " is " << values[i]);
    }
  }
  ASSIGN_OR_REQUIRE(PartitionOffsets offsets,
                    BrokerOf(cluster, after.leader).GetPartitionOffsets(tp));
  CHECK(offsets.high_watermark == Offset(kRecords));
}

TEST_CASE(
    "a producer and a consumer move off a leader cut off from its cluster, "
    "which still answers them",
    "[replication][client]") {
  EmbeddedClusterOptions options = ThreeBrokers();
  options.broker_session_timeout_ms = 500;
  EmbeddedCluster cluster(options);
  REQUIRE_OK(cluster.CreateTopic("t", 1, {{"min.insync.replicas", "2"}}));
  const TopicPartition tp{"t", PartitionId(0)};
  const int leader = Describe(cluster, tp).leader.value();
  const int other = (leader + 1) % 3;
  // The cut-off leader holds a send until request.timeout.ms, and answers
  // fetches without errors: the consumer looks its leader up again every
  // metadata.max.age.ms.
  auto producer = cluster.NewProducer({.linger_ms = 0,
                                       .delivery_timeout_ms = 20'000,
                                       .request_timeout_ms = 500});
  auto consumer =
      cluster.NewConsumer({.auto_offset_reset = AutoOffsetReset::kEarliest,
                           .fetch_max_wait_ms = 100,
                           .metadata_max_age_ms = 200});
  REQUIRE_OK(consumer->Assign({tp}));
  auto send = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      REQUIRE_OK(producer->Send({.topic = "t", .value = absl::StrCat(i)}));
    }
    REQUIRE_OK(producer->Flush());
  };
  std::vector<std::string> read;
  auto read_until = [&](size_t count) {
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (read.size() < count && absl::Now() < give_up) {
      ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(50));
      for (const ConsumerRecord& r : records) {
        read.emplace_back(r.value.value_or(""));
      }
    }
  };
  send(0, 20);
  read_until(20);
  REQUIRE(read.size() == 20);

  REQUIRE_OK(cluster.IsolateBroker(leader));
  send(20, 40);  // waits for the controller to elect a new leader
  ASSIGN_OR_REQUIRE(TopicDescription topic,
                    cluster.broker(other).DescribeTopic("t"));
  const PartitionDescription& after = topic.partitions.at(0);
  CHECK(after.leader.value() != leader);
  read_until(40);
  cluster.HealAll();
  REQUIRE(read.size() == 40);
  for (int i = 0; i < 40; ++i) CHECK(read[i] == absl::StrCat(i));
}

// Member is one consumer of a group and what it has read.
struct Member {
  std::unique_ptr<Consumer> consumer;
  std::set<std::string> values;
};

// PollRound polls each member once and commits what it read.
void PollRound(std::vector<Member>& members) {
  for (Member& m : members) {
    ASSIGN_OR_REQUIRE(ConsumerRecords records, m.consumer->Poll(20));
    for (const ConsumerRecord& r : records) {
      m.values.emplace(r.value.value_or(""));
    }
    // Refused while the group rebalances; the next round commits.
    if (!records.empty()) (void)m.consumer->CommitSync();
  }
}

// Produce sends values "<from>".."<to - 1>", round robin over 4 partitions.
void Produce(EmbeddedCluster& cluster, int from, int to) {
  auto producer = cluster.NewProducer({.linger_ms = 0});
  for (int i = from; i < to; ++i) {
    REQUIRE_OK(producer->Send({.topic = "t",
                               .partition = PartitionId(i % 4),
                               .value = absl::StrCat(i)}));
  }
  REQUIRE_OK(producer->Flush());
}

TEST_CASE(
    "a consumer group reads every record across its coordinator's "
    "restart, and its commits land",
    "[replication][client]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 4));
  constexpr int kRecords = 400;
  Produce(cluster, 0, kRecords / 2);
  std::vector<Member> members(2);
  for (Member& m : members) {
    m.consumer =
        cluster.NewConsumer({.group_id = "g",
                             .auto_offset_reset = AutoOffsetReset::kEarliest,
                             .enable_auto_commit = false,
                             .session_timeout_ms = 10'000,
                             .heartbeat_interval_ms = 100,
                             .max_poll_records = 50});
    REQUIRE_OK(m.consumer->Subscribe({"t"}));
  }
  auto seen = [&] {
    std::set<std::string> all;
    for (const Member& m : members) {
      all.insert(m.values.begin(), m.values.end());
    }
    return static_cast<int>(all.size());
  };
  // Both members in one generation, the first half read and committed.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while ((seen() < kRecords / 2 || members[0].consumer->Assignment().empty() ||
          members[1].consumer->Assignment().empty()) &&
         absl::Now() < give_up) {
    PollRound(members);
  }
  REQUIRE(seen() == kRecords / 2);

  ASSIGN_OR_REQUIRE(NodeId coordinator,
                    cluster.broker(0).FindGroupCoordinator("g"));
  REQUIRE_OK(cluster.Restart(coordinator.value()));

  Produce(cluster, kRecords / 2, kRecords);
  while (seen() < kRecords && absl::Now() < give_up) PollRound(members);
  CHECK(seen() == kRecords);

  // Every partition's committed offset reaches its end.
  auto admin = cluster.NewAdmin();
  auto committed_all = [&] {
    PollRound(members);
    for (Member& m : members) (void)m.consumer->CommitSync();
    absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> committed =
        admin->ListConsumerGroupOffsets("g");
    if (!committed.ok() || committed->size() != 4) return false;
    for (const auto& [tp, offset] : *committed) {
      if (offset.offset != Offset(kRecords / 4)) return false;
    }
    return true;
  };
  CHECK(WaitFor(committed_all));
  for (Member& m : members) CHECK_OK(m.consumer->Close());
}

TEST_CASE(
    "an admin client of a cluster reaches every partition's leader and "
    "the group's coordinator",
    "[replication][client]") {
  EmbeddedCluster cluster(ThreeBrokers());
  REQUIRE_OK(cluster.CreateTopic("t", 3));
  auto producer = cluster.NewProducer({.linger_ms = 0});
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i <= p; ++i) {
      REQUIRE_OK(producer->Send({.topic = "t", .partition = PartitionId(p)}));
    }
  }
  REQUIRE_OK(producer->Flush());
  auto admin = cluster.NewAdmin();
  std::map<TopicPartition, OffsetAndMetadata> offsets;
  for (int p = 0; p < 3; ++p) {
    const TopicPartition tp{"t", PartitionId(p)};
    ASSIGN_OR_REQUIRE(ListOffsetsResult end, admin->ListOffsets(tp, {}));
    CHECK(end.offset == Offset(p + 1));
    offsets[tp] = {.offset = Offset(p)};
  }
  REQUIRE_OK(admin->AlterConsumerGroupOffsets("g", offsets));
  ASSIGN_OR_REQUIRE(std::vector<PartitionLag> lags,
                    admin->ConsumerGroupLag("g"));
  REQUIRE(lags.size() == 3);
  for (const PartitionLag& lag : lags) CHECK(lag.lag == 1);
  // The coordinator restarts: the group's offsets are found where they
  // moved.
  ASSIGN_OR_REQUIRE(NodeId coordinator,
                    cluster.broker(0).FindGroupCoordinator("g"));
  REQUIRE_OK(cluster.Restart(coordinator.value()));
  ASSIGN_OR_REQUIRE(auto listed, admin->ListConsumerGroupOffsets("g"));
  REQUIRE(listed.size() == 3);
  for (const auto& [tp, offset] : offsets) {
    CHECK(listed.at(tp).offset == offset.offset);
  }
}

}  // namespace
}  // namespace rill::testing
