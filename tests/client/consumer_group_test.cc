// Consumers in a group: assignment, rebalances (eager and cooperative), the
// rebalance listener, and membership changes. Time is a ManualClock that
// Settle advances between rounds of polls, so heartbeats (and session or
// poll timeouts) happen exactly when the test lets time pass.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "client_test_util.h"
#include "rill/client/consumer.h"
#include "rill/error.h"
#include "status_test_util.h"

namespace rill {
namespace {

using test::ClientEnv;
using test::RecordingListener;
using test::Settle;
using test::TP;

ConsumerOptions GroupOptions(const std::string& group,
                             std::vector<std::string> strategy = {"range"}) {
  return {.group_id = group,
          .auto_offset_reset = AutoOffsetReset::kEarliest,
          .session_timeout_ms = 1000,
          .heartbeat_interval_ms = 100,
          .partition_assignment_strategy = std::move(strategy)};
}

// OwnedOnce: the consumers share one generation and own every partition of
// `topic` (0..n-1) exactly once between them, each at least `min_each`.
bool OwnedOnce(const std::vector<Consumer*>& consumers,
               const std::string& topic, int n, size_t min_each = 1) {
  const int32_t generation = consumers.front()->generation_id();
  if (generation < 0) return false;
  std::map<TopicPartition, int> owners;
  for (Consumer* c : consumers) {
    if (c->generation_id() != generation) return false;
    const std::vector<TopicPartition> assigned = c->Assignment();
    if (assigned.size() < min_each) return false;
    for (const TopicPartition& tp : assigned) ++owners[tp];
  }
  if (owners.size() != static_cast<size_t>(n)) return false;
  for (const auto& [tp, count] : owners) {
    if (tp.topic != topic || count != 1) return false;
  }
  return true;
}

// Partitions named in a listener event ("revoked:t-0,t-1").
std::set<std::string> EventPartitions(const std::string& event) {
  std::set<std::string> out;
  const std::string list = event.substr(event.find(':') + 1);
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    out.insert(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::set<std::string> Names(const std::vector<TopicPartition>& v) {
  std::set<std::string> out;
  for (const TopicPartition& tp : v) out.insert(tp.ToString());
  return out;
}

TEST_CASE("A lone group member is assigned every partition and reads them",
          "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 3);
  auto consumer = env.NewConsumer(GroupOptions("solo"));
  REQUIRE_OK(consumer->Subscribe({"t"}));
  REQUIRE(Settle(env, {consumer.get()},
                 [&] { return OwnedOnce({consumer.get()}, "t", 3); }));
  CHECK(!consumer->member_id().empty());
  for (int p = 0; p < 3; ++p) env.ProduceValues(TP("t", p), 4);
  CHECK(test::PollUntil(*consumer, 12).size() == 12);
}

TEST_CASE(
    "Two members split the partitions with range, and a third joining "
    "rebalances them so that each partition has one owner",
    "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 6);
  auto c1 = env.NewConsumer(GroupOptions("g"));
  auto c2 = env.NewConsumer(GroupOptions("g"));
  REQUIRE_OK(c1->Subscribe({"t"}));
  REQUIRE_OK(c2->Subscribe({"t"}));
  REQUIRE(Settle(env, {c1.get(), c2.get()}, [&] {
    return OwnedOnce({c1.get(), c2.get()}, "t", 6, 3);
  }));
  const int32_t two_member_generation = c1->generation_id();
  CHECK(c1->member_id() != c2->member_id());

  auto c3 = env.NewConsumer(GroupOptions("g"));
  REQUIRE_OK(c3->Subscribe({"t"}));
  std::vector<Consumer*> all = {c1.get(), c2.get(), c3.get()};
  REQUIRE(Settle(env, all, [&] { return OwnedOnce(all, "t", 6, 2); }));
  CHECK(c3->generation_id() > two_member_generation);

  SECTION("a member that closes hands its partitions to the others") {
    REQUIRE_OK(c3->Close());
    REQUIRE(Settle(env, {c1.get(), c2.get()}, [&] {
      return OwnedOnce({c1.get(), c2.get()}, "t", 6, 3);
    }));
  }
  SECTION("a member that unsubscribes hands its partitions to the others") {
    REQUIRE_OK(c2->Unsubscribe());
    CHECK(c2->Assignment().empty());
    REQUIRE(Settle(env, {c1.get(), c3.get()}, [&] {
      return OwnedOnce({c1.get(), c3.get()}, "t", 6, 3);
    }));
  }
}

TEST_CASE(
    "A member is assigned a subscribed topic's partitions once the "
    "topic is created, and follows a change of subscription",
    "[client][group]") {
  ClientEnv env;
  env.CreateTopic("a", 1);
  auto consumer = env.NewConsumer(GroupOptions("later"));
  REQUIRE_OK(consumer->Subscribe({"a", "b"}));
  REQUIRE(Settle(env, {consumer.get()},
                 [&] { return consumer->Assignment().size() == 1; }));
  const int32_t generation = consumer->generation_id();
  env.CreateTopic("b", 2);
  // Noticed by the member's periodic metadata check (about a second).
  REQUIRE(Settle(env, {consumer.get()},
                 [&] { return consumer->Assignment().size() == 3; }));
  CHECK(consumer->generation_id() > generation);

  REQUIRE_OK(consumer->Subscribe({"b"}));
  REQUIRE(Settle(env, {consumer.get()}, [&] {
    return consumer->Assignment() ==
           std::vector<TopicPartition>{TP("b", 0), TP("b", 1)};
  }));
  CHECK(consumer->Subscription() == std::vector<std::string>{"b"});
}

TEST_CASE("Each record is read once by the group while members join",
          "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 4);
  for (int p = 0; p < 4; ++p) env.ProduceValues(TP("t", p), 50, "v", 5);
  ConsumerOptions options = GroupOptions("once");
  options.enable_auto_commit = false;
  options.max_poll_records = 7;
  // Offsets are committed in the revoke callback, as Kafka's docs advise.
  struct CommitOnRevoke : RebalanceListener {
    Consumer* consumer = nullptr;
    void OnPartitionsRevoked(const std::vector<TopicPartition>&) override {
      CHECK_OK(consumer->CommitSync());
    }
  };
  auto l1 = std::make_shared<CommitOnRevoke>();
  auto l2 = std::make_shared<CommitOnRevoke>();
  auto c1 = env.NewConsumer(options);
  auto c2 = env.NewConsumer(options);
  l1->consumer = c1.get();
  l2->consumer = c2.get();
  std::map<std::pair<TopicPartition, int64_t>, int> seen;
  auto poll = [&](Consumer& c) {
    ASSIGN_OR_REQUIRE(ConsumerRecords records, c.Poll(1));
    for (const ConsumerRecord& r : records) ++seen[{*r.tp, r.offset.value()}];
  };
  REQUIRE_OK(c1->Subscribe({"t"}, l1));
  for (int i = 0; i < 5; ++i) poll(*c1);  // c1 reads some on its own
  REQUIRE_OK(c2->Subscribe({"t"}, l2));
  for (int round = 0; round < 400 && seen.size() < 200; ++round) {
    poll(*c1);
    poll(*c2);
    env.clock->AdvanceMs(50);
  }
  CHECK(seen.size() == 200);
  for (const auto& [record, count] : seen) {
    INFO(record.first.ToString() << "@" << record.second);
    CHECK(count == 1);
  }
}

TEST_CASE(
    "An eager rebalance revokes every partition before the new "
    "assignment",
    "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 4);
  auto l1 = std::make_shared<RecordingListener>();
  auto l2 = std::make_shared<RecordingListener>();
  auto c1 = env.NewConsumer(GroupOptions("eager"));
  auto c2 = env.NewConsumer(GroupOptions("eager"));
  REQUIRE_OK(c1->Subscribe({"t"}, l1));
  REQUIRE(
      Settle(env, {c1.get()}, [&] { return OwnedOnce({c1.get()}, "t", 4); }));
  CHECK(l1->events() == std::vector<std::string>{"assigned:t-0,t-1,t-2,t-3"});

  REQUIRE_OK(c2->Subscribe({"t"}, l2));
  REQUIRE(Settle(env, {c1.get(), c2.get()}, [&] {
    return OwnedOnce({c1.get(), c2.get()}, "t", 4, 2);
  }));
  const std::vector<std::string> events = l1->events();
  REQUIRE(events.size() == 3);
  CHECK(events[1] == "revoked:t-0,t-1,t-2,t-3");
  CHECK(events[2].rfind("assigned:", 0) == 0);
  CHECK(EventPartitions(events[2]) == Names(c1->Assignment()));
  REQUIRE(l2->events().size() == 1);
  CHECK(EventPartitions(l2->events()[0]) == Names(c2->Assignment()));
}

TEST_CASE("A cooperative rebalance revokes only the partitions that move",
          "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 4);
  auto l1 = std::make_shared<RecordingListener>();
  auto l2 = std::make_shared<RecordingListener>();
  const std::vector<std::string> coop = {"cooperative-sticky"};
  auto c1 = env.NewConsumer(GroupOptions("coop", coop));
  auto c2 = env.NewConsumer(GroupOptions("coop", coop));
  REQUIRE_OK(c1->Subscribe({"t"}, l1));
  REQUIRE(
      Settle(env, {c1.get()}, [&] { return OwnedOnce({c1.get()}, "t", 4); }));
  REQUIRE_OK(c2->Subscribe({"t"}, l2));
  REQUIRE(Settle(env, {c1.get(), c2.get()}, [&] {
    return OwnedOnce({c1.get(), c2.get()}, "t", 4, 2);
  }));

  std::set<std::string> revoked;
  for (const std::string& e : l1->events()) {
    if (e.rfind("revoked:", 0) == 0) {
      for (const std::string& p : EventPartitions(e)) revoked.insert(p);
    }
    CHECK(e.rfind("lost:", 0) != 0);
  }
  // c1 gave up exactly what c2 now owns; what it kept was never revoked.
  CHECK(revoked == Names(c2->Assignment()));
  std::set<std::string> assigned_to_c2;
  for (const std::string& e : l2->events()) {
    CHECK(e.rfind("assigned:", 0) == 0);
    for (const std::string& p : EventPartitions(e)) {
      if (!p.empty()) assigned_to_c2.insert(p);
    }
  }
  CHECK(assigned_to_c2 == Names(c2->Assignment()));

  // c2 leaves: c1 only gains; nothing of its own is revoked.
  const std::vector<TopicPartition> c2_had = c2->Assignment();
  l1->Clear();
  REQUIRE_OK(c2->Close());
  REQUIRE(
      Settle(env, {c1.get()}, [&] { return OwnedOnce({c1.get()}, "t", 4); }));
  std::set<std::string> gained;
  for (const std::string& e : l1->events()) {
    CHECK(e.rfind("assigned:", 0) == 0);
    for (const std::string& p : EventPartitions(e)) {
      if (!p.empty()) gained.insert(p);
    }
  }
  CHECK(gained == Names(c2_had));
}

TEST_CASE("A new member of the group starts where CommitSync left off",
          "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  env.ProduceValues(TP("t", 0), 20, "v", 10);
  ConsumerOptions options = GroupOptions("commits");
  options.enable_auto_commit = false;
  options.max_poll_records = 10;
  {
    auto c1 = env.NewConsumer(options);
    REQUIRE_OK(c1->Subscribe({"t"}));
    std::vector<test::Polled> read = test::PollUntil(*c1, 10);
    REQUIRE(read.size() == 10);
    REQUIRE_OK(c1->CommitSync());
    REQUIRE_OK(c1->Close());
  }
  auto c2 = env.NewConsumer(options);
  REQUIRE_OK(c2->Subscribe({"t"}));
  std::vector<test::Polled> rest = test::PollUntil(*c2, 10);
  REQUIRE(rest.size() == 10);
  CHECK(rest.front().offset == Offset(10));
  CHECK(rest.back().offset == Offset(19));
}

TEST_CASE("Auto-commit commits in Poll every interval and on Close",
          "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  env.ProduceValues(TP("t", 0), 8, "v", 8);
  ConsumerOptions options = GroupOptions("auto");
  options.auto_commit_interval_ms = 1000;
  options.max_poll_records = 5;
  auto committed = [&]() -> int64_t {
    auto offsets = env.broker->group_coordinator().FetchOffsets(
        "auto", std::vector<TopicPartition>{TP("t", 0)});
    REQUIRE_OK(offsets);
    return offsets->empty() ? -1 : offsets->front().offset.value();
  };
  auto consumer = env.NewConsumer(options);
  REQUIRE_OK(consumer->Subscribe({"t"}));
  REQUIRE(test::PollUntil(*consumer, 5).size() == 5);
  CHECK(committed() == -1);  // the interval has not passed

  // In heartbeat-sized steps: one 1 s jump would also end the session.
  for (int i = 0; i < 10; ++i) env.clock->AdvanceMs(100);
  std::vector<test::Polled> rest;
  for (int i = 0; i < 100 && committed() != 5; ++i) {
    // Commits the 5 returned before, then returns the other 3.
    ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(1));
    test::Append(records, &rest);
  }
  CHECK(committed() == 5);
  for (const test::Polled& p : test::PollUntil(*consumer, 3 - rest.size())) {
    rest.push_back(p);
  }
  REQUIRE(rest.size() == 3);
  REQUIRE_OK(consumer->Close());
  CHECK(committed() == 8);
}

TEST_CASE(
    "A member that stops polling loses its partitions and cannot "
    "commit",
    "[client][group]") {
  // Two ways out, both as Kafka: a dynamic member's heartbeat leaves the
  // group once max.poll.interval.ms passes without a Poll; a static member
  // never sends LeaveGroup, so the coordinator expires it after
  // session.timeout.ms without heartbeats (which stop with the poll
  // timeout).
  ClientEnv env;
  env.CreateTopic("t", 2);
  env.ProduceValues(TP("t", 0), 4);
  env.ProduceValues(TP("t", 1), 4);
  ConsumerOptions options = GroupOptions("stall");
  options.max_poll_interval_ms = 500;
  options.enable_auto_commit = false;
  ConsumerOptions stalled_options = options;
  SECTION("dynamic member") {}
  SECTION("static member") { stalled_options.group_instance_id = "stalled"; }

  auto listener = std::make_shared<RecordingListener>();
  auto stalled = env.NewConsumer(stalled_options);
  auto active = env.NewConsumer(options);
  REQUIRE_OK(stalled->Subscribe({"t"}, listener));
  REQUIRE_OK(active->Subscribe({"t"}));
  REQUIRE(Settle(env, {stalled.get(), active.get()}, [&] {
    return OwnedOnce({stalled.get(), active.get()}, "t", 2);
  }));
  // (Settle's polls have read its partition, so it has a position to commit.)

  // Only `active` polls now; time passes.
  REQUIRE(Settle(env, {active.get()},
                 [&] { return OwnedOnce({active.get()}, "t", 2); }));
  const absl::Status commit = stalled->CommitSync();
  INFO(commit.ToString());
  CHECK((HasErrorReason(commit, ErrorReason::kUnknownMemberId) ||
         HasErrorReason(commit, ErrorReason::kIllegalGeneration)));

  // Back to polling: it learns it lost them, and rejoins.
  listener->Clear();
  REQUIRE(Settle(env, {stalled.get(), active.get()}, [&] {
    return OwnedOnce({stalled.get(), active.get()}, "t", 2);
  }));
  REQUIRE_FALSE(listener->events().empty());
  CHECK(listener->events().front().rfind("lost:", 0) == 0);
}

TEST_CASE(
    "A static member restarted with the same group.instance.id gets "
    "its partitions back without a rebalance",
    "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 4);
  ConsumerOptions a = GroupOptions("static");
  a.group_instance_id = "a";
  ConsumerOptions b = GroupOptions("static");
  b.group_instance_id = "b";
  auto la = std::make_shared<RecordingListener>();
  auto ca = env.NewConsumer(a);
  auto cb = env.NewConsumer(b);
  REQUIRE_OK(ca->Subscribe({"t"}, la));
  REQUIRE(
      Settle(env, {ca.get()}, [&] { return OwnedOnce({ca.get()}, "t", 4); }));
  REQUIRE_OK(cb->Subscribe({"t"}));
  REQUIRE(Settle(env, {ca.get(), cb.get()}, [&] {
    return OwnedOnce({ca.get(), cb.get()}, "t", 4, 2);
  }));
  const int32_t generation = ca->generation_id();
  const std::vector<TopicPartition> b_partitions = cb->Assignment();
  const size_t a_events = la->events().size();

  REQUIRE_OK(cb->Close());  // a static member sends no LeaveGroup
  cb = env.NewConsumer(b);
  REQUIRE_OK(cb->Subscribe({"t"}));
  REQUIRE(Settle(env, {ca.get(), cb.get()},
                 [&] { return !cb->Assignment().empty(); }));
  CHECK(cb->Assignment() == b_partitions);
  CHECK(cb->generation_id() == generation);
  CHECK(ca->generation_id() == generation);
  // Some time passes; still no rebalance for the other member.
  for (int i = 0; i < 5; ++i) {
    REQUIRE_OK(ca->Poll(1));
    REQUIRE_OK(cb->Poll(1));
    env.clock->AdvanceMs(100);
  }
  CHECK(la->events().size() == a_events);
  CHECK(ca->generation_id() == generation);
}

TEST_CASE("A static member replaced by a newer instance is fenced",
          "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 2);
  ConsumerOptions options = GroupOptions("fence");
  options.group_instance_id = "same";
  auto old_instance = env.NewConsumer(options);
  REQUIRE_OK(old_instance->Subscribe({"t"}));
  REQUIRE(Settle(env, {old_instance.get()},
                 [&] { return OwnedOnce({old_instance.get()}, "t", 2); }));
  auto new_instance = env.NewConsumer(options);
  REQUIRE_OK(new_instance->Subscribe({"t"}));
  REQUIRE(Settle(env, {new_instance.get()},
                 [&] { return !new_instance->Assignment().empty(); }));
  absl::Status fenced;
  for (int i = 0; i < 100 && fenced.ok(); ++i) {
    fenced = old_instance->Poll(1).status();
    env.clock->AdvanceMs(50);  // its next heartbeat hears about it
  }
  CHECK(HasErrorReason(fenced, ErrorReason::kFencedInstanceId));
}

TEST_CASE("A commit the coordinator refuses keeps its Kafka error",
          "[client][group]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  auto member = env.NewConsumer(GroupOptions("busy"));
  REQUIRE_OK(member->Subscribe({"t"}));
  REQUIRE(Settle(env, {member.get()},
                 [&] { return OwnedOnce({member.get()}, "t", 1); }));
  // Outside the group protocol, commits are only allowed while the group
  // is empty.
  auto outsider = env.NewConsumer(GroupOptions("busy"));
  REQUIRE_OK(outsider->Assign({TP("t", 0)}));
  const absl::Status status =
      outsider->CommitSync({{TP("t", 0), {.offset = Offset(1)}}});
  INFO(status.ToString());
  CHECK(HasErrorReason(status, ErrorReason::kUnknownMemberId));
  CHECK(status.message().find("t-0") != absl::string_view::npos);
}

TEST_CASE("Poll reports a JoinGroup the coordinator refuses",
          "[client][group]") {
  ClientEnv env;  // group.min.session.timeout.ms = 10
  env.CreateTopic("t", 1);
  ConsumerOptions options = GroupOptions("refused");
  options.session_timeout_ms = 5;
  options.heartbeat_interval_ms = 1;
  auto consumer = env.NewConsumer(options);
  REQUIRE_OK(consumer->Subscribe({"t"}));
  absl::Status status;
  for (int i = 0; i < 100 && status.ok(); ++i)
    status = consumer->Poll(1).status();
  CHECK(HasErrorReason(status, ErrorReason::kInvalidSessionTimeout));
  CHECK(consumer->Assignment().empty());
}

}  // namespace
}  // namespace rill
