// Committed offsets: who may commit, what is stored, deletion and retention.
#include <catch2/catch.hpp>
#include <thread>

#include "group/consumer_protocol.h"
#include "group/group_test_util.h"

namespace rill::group_test {
namespace {

TEST_CASE("a member commits offsets and fetches them back", "[group]") {
  CoordinatorFixture f;
  const JoinGroupResponse j = f.JoinNewNow("g");
  f.SyncAll("g", {j});
  OffsetCommitPartition p = At(Tp("orders", 3), 42, "checkpoint");
  p.leader_epoch = LeaderEpoch(7);
  std::vector<absl::Status> statuses =
      f.Commit("g", j.generation_id, j.member_id, {p, At(Tp("orders", 4), 9)});
  REQUIRE(statuses.size() == 2);
  CHECK_OK(statuses[0]);
  CHECK_OK(statuses[1]);

  ASSIGN_OR_REQUIRE(
      std::vector<CommittedOffset> fetched,
      f.gc().FetchOffsets(
          "g", std::vector<TopicPartition>{Tp("orders", 3), Tp("orders", 5)}));
  REQUIRE(fetched.size() == 2);
  CHECK(fetched[0].offset == Offset(42));
  CHECK(fetched[0].leader_epoch == LeaderEpoch(7));
  CHECK(fetched[0].metadata == "checkpoint");
  CHECK(fetched[0].commit_timestamp_ms == kStartMs);
  // Nothing committed: offset -1, and no error.
  CHECK(fetched[1].tp == Tp("orders", 5));
  CHECK(fetched[1].offset == Offset(-1));

  ASSIGN_OR_REQUIRE(std::vector<CommittedOffset> all,
                    f.gc().FetchOffsets("g", std::nullopt));
  REQUIRE(all.size() == 2);
  CHECK(all[0].tp == Tp("orders", 3));
  CHECK(all[1].offset == Offset(9));
  CHECK(f.Committed("no-such-group", Tp("orders", 3)) == -1);
}

TEST_CASE("commits from a stale generation or an unknown member are refused",
          "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  f.SyncAll("g", joins);
  const int32_t generation = joins[0].generation_id;
  CHECK_OK(
      f.Commit("g", generation, joins[1].member_id, {At(Tp("t", 0), 5)})[0]);
  CHECK(ReasonOf(f.Commit("g", generation - 1, joins[1].member_id,
                          {At(Tp("t", 0), 6)})[0]) == "ILLEGAL_GENERATION");
  CHECK(ReasonOf(f.Commit("g", generation, "client-unknown",
                          {At(Tp("t", 0), 7)})[0]) == "UNKNOWN_MEMBER_ID");
  CHECK(ReasonOf(f.Commit("never-existed", 3, "m", {At(Tp("t", 0), 8)})[0]) ==
        "ILLEGAL_GENERATION");
  CHECK(f.Committed("g", Tp("t", 0)) == 5);
}

TEST_CASE("commits are refused while the group waits for its assignment",
          "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  CHECK(f.State("g") == "CompletingRebalance");
  CHECK(ReasonOf(f.Commit("g", joins[1].generation_id, joins[1].member_id,
                          {At(Tp("t", 0), 1)})[0]) == "REBALANCE_IN_PROGRESS");
}

TEST_CASE(
    "commits outside the group protocol are allowed only while the "
    "group is empty",
    "[group]") {
  CoordinatorFixture f;
  // A group that does not exist is created to hold them.
  CHECK_OK(f.Commit("simple", -1, "", {At(Tp("t", 0), 10)})[0]);
  CHECK(f.Committed("simple", Tp("t", 0)) == 10);
  ASSIGN_OR_REQUIRE(GroupDescription d, f.gc().DescribeGroup("simple"));
  CHECK(d.state == "Empty");
  CHECK(d.protocol_type.empty());

  const JoinGroupResponse j = f.JoinNewNow("g");
  f.SyncAll("g", {j});
  CHECK(ReasonOf(f.Commit("g", -1, "", {At(Tp("t", 0), 1)})[0]) ==
        "UNKNOWN_MEMBER_ID");
  // Once its members are gone, anyone may commit again.
  REQUIRE_OK(f.gc()
                 .LeaveGroup({.group_id = "g", .members = {{j.member_id}}})
                 .member_statuses.at(0));
  CHECK(f.State("g") == "Empty");
  CHECK_OK(f.Commit("g", -1, "", {At(Tp("t", 0), 2)})[0]);
  CHECK(f.Committed("g", Tp("t", 0)) == 2);
}

TEST_CASE(
    "offset metadata over offset.metadata.max.bytes is refused per "
    "partition",
    "[group]") {
  CoordinatorFixture f;
  f.config.offset_metadata_max_bytes = 8;
  std::vector<absl::Status> statuses =
      f.Commit("g", -1, "",
               {At(Tp("t", 0), 1, "12345678"), At(Tp("t", 1), 2, "123456789")});
  CHECK_OK(statuses[0]);
  CHECK(ReasonOf(statuses[1]) == "OFFSET_METADATA_TOO_LARGE");
  CHECK(f.Committed("g", Tp("t", 0)) == 1);
  CHECK(f.Committed("g", Tp("t", 1)) == -1);
}

TEST_CASE("a commit the log cannot write fails and changes nothing",
          "[group]") {
  CoordinatorFixture f;
  CHECK_OK(f.Commit("g", -1, "", {At(Tp("t", 0), 1)})[0]);
  f.log->set_fail_appends(true);
  std::vector<absl::Status> statuses =
      f.Commit("g", -1, "", {At(Tp("t", 0), 2), At(Tp("t", 1), 2)});
  // NOT_ENOUGH_REPLICAS from the log is COORDINATOR_NOT_AVAILABLE to a
  // client, as in Kafka.
  CHECK(ReasonOf(statuses[0]) == "COORDINATOR_NOT_AVAILABLE");
  CHECK(ReasonOf(statuses[1]) == "COORDINATOR_NOT_AVAILABLE");
  CHECK(f.Committed("g", Tp("t", 0)) == 1);
  CHECK(f.Committed("g", Tp("t", 1)) == -1);
}

TEST_CASE("a commit is answered, and visible, only once the log has it",
          "[group]") {
  CoordinatorFixture f;
  CHECK_OK(f.Commit("g", -1, "", {At(Tp("t", 0), 1)})[0]);
  f.log->set_hold_appends(true);
  Answer<OffsetCommitResponse> answer;
  f.gc().CommitOffsets({.group_id = "g", .offsets = {At(Tp("t", 0), 2)}},
                       answer.Callback());
  CHECK(!answer.ready());
  CHECK(f.log->held() == 1);
  CHECK(f.Committed("g", Tp("t", 0)) == 1);
  f.log->set_hold_appends(false);
  f.log->ReleaseHeld();
  REQUIRE(answer.ready());
  CHECK(answer.times() == 1);
  CHECK_OK(answer.get().partition_statuses.at(0));
  CHECK(f.Committed("g", Tp("t", 0)) == 2);
}

TEST_CASE(
    "a failed assignment write fails the sync and restarts the "
    "rebalance",
    "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  Answer<SyncGroupResponse> follower = f.Sync("g", joins[1]);
  f.log->set_fail_appends(true);
  Answer<SyncGroupResponse> leader =
      f.Sync("g", joins[0], {{joins[0].member_id, "a"}});
  REQUIRE(leader.ready());
  REQUIRE(follower.ready());
  CHECK(ReasonOf(leader.get().status) == "COORDINATOR_NOT_AVAILABLE");
  CHECK(ReasonOf(follower.get().status) == "COORDINATOR_NOT_AVAILABLE");
  CHECK(f.State("g") == "PreparingRebalance");
}

TEST_CASE("offsets and the group's generation survive a restart", "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  f.SyncAll("g", joins);
  const int32_t generation = joins[0].generation_id;
  CHECK_OK(f.Commit("g", generation, joins[0].member_id,
                    {At(Tp("t", 0), 100, "m0"), At(Tp("t", 1), 200)})[0]);
  CHECK_OK(f.Commit("simple", -1, "", {At(Tp("u", 0), 7)})[0]);

  f.Reopen();
  CHECK(f.Committed("g", Tp("t", 0)) == 100);
  CHECK(f.Committed("g", Tp("t", 1)) == 200);
  CHECK(f.Committed("simple", Tp("u", 0)) == 7);
  ASSIGN_OR_REQUIRE(GroupDescription d, f.gc().DescribeGroup("g"));
  CHECK(d.state == "Stable");
  CHECK(d.generation_id == generation);
  REQUIRE(d.members.size() == 2);
  CHECK(d.members[0].assignment.rfind("assign-", 0) == 0);
  // Restored members carry on, and must keep heartbeating.
  CHECK_OK(f.Heartbeat("g", joins[0].member_id, generation));
  Answer<SyncGroupResponse> s = f.Sync("g", joins[1]);
  REQUIRE(s.ready());
  CHECK(s.get().assignment == "assign-1");
  f.clock->AdvanceMs(kSessionMs);
  CHECK(f.State("g") == "Empty");

  // The emptied group's new generation is durable too.
  f.Reopen();
  ASSIGN_OR_REQUIRE(GroupDescription empty, f.gc().DescribeGroup("g"));
  CHECK(empty.state == "Empty");
  CHECK(empty.generation_id == generation + 1);
  const JoinGroupResponse next = f.JoinNewNow("g");
  CHECK(next.generation_id == generation + 2);
}

TEST_CASE("a restarted static member's new id is durable", "[group]") {
  CoordinatorFixture f;
  JoinGroupRequest r = f.JoinRequest("g");
  r.group_instance_id = "inst";
  const JoinGroupResponse first = f.Join(r).get();
  f.SyncAll("g", {first});
  const JoinGroupResponse restarted = f.Join(r).get();
  REQUIRE_OK(restarted.status);
  f.Reopen();
  CHECK_OK(f.Heartbeat("g", restarted.member_id, first.generation_id, "inst"));
  CHECK(ReasonOf(f.Heartbeat("g", first.member_id, first.generation_id,
                             "inst")) == "FENCED_INSTANCE_ID");
}

TEST_CASE("DeleteGroup removes an empty group and its offsets for good",
          "[group]") {
  CoordinatorFixture f;
  const JoinGroupResponse j = f.JoinNewNow("g");
  f.SyncAll("g", {j});
  CHECK_OK(f.Commit("g", j.generation_id, j.member_id, {At(Tp("t", 0), 5)})[0]);
  CHECK(ReasonOf(f.gc().DeleteGroup("g")) == "NON_EMPTY_GROUP");
  CHECK(ReasonOf(f.gc().DeleteGroup("nope")) == "GROUP_ID_NOT_FOUND");

  REQUIRE_OK(f.gc()
                 .LeaveGroup({.group_id = "g", .members = {{j.member_id}}})
                 .member_statuses.at(0));
  REQUIRE_OK(f.gc().DeleteGroup("g"));
  CHECK(f.Committed("g", Tp("t", 0)) == -1);
  CHECK(f.State("g") == "Dead");
  CHECK(f.gc().ListGroups().empty());
  CHECK(ReasonOf(f.gc().DeleteGroup("g")) == "GROUP_ID_NOT_FOUND");

  f.Reopen();
  CHECK(f.Committed("g", Tp("t", 0)) == -1);
  CHECK(f.gc().ListGroups().empty());
}

TEST_CASE("DeleteOffsets refuses topics a live consumer group subscribes to",
          "[group]") {
  CoordinatorFixture f;
  const std::vector<GroupProtocol> subscription = {
      {"range", group::EncodeSubscription({"orders"})}};
  const JoinGroupResponse j = f.JoinNewNow("g", subscription);
  f.SyncAll("g", {j});
  CHECK_OK(f.Commit("g", j.generation_id, j.member_id,
                    {At(Tp("orders", 0), 1), At(Tp("payments", 0), 2)})[0]);
  ASSIGN_OR_REQUIRE(
      std::vector<absl::Status> statuses,
      f.gc().DeleteOffsets("g", {Tp("orders", 0), Tp("payments", 0)}));
  REQUIRE(statuses.size() == 2);
  CHECK(ReasonOf(statuses[0]) == "GROUP_SUBSCRIBED_TO_TOPIC");
  CHECK_OK(statuses[1]);
  CHECK(f.Committed("g", Tp("orders", 0)) == 1);
  CHECK(f.Committed("g", Tp("payments", 0)) == -1);
  CHECK(ReasonOf(f.gc().DeleteOffsets("nope", {Tp("orders", 0)}).status()) ==
        "GROUP_ID_NOT_FOUND");

  SECTION("an empty group's offsets all go, and so does the group") {
    REQUIRE_OK(f.gc()
                   .LeaveGroup({.group_id = "g", .members = {{j.member_id}}})
                   .member_statuses.at(0));
    ASSIGN_OR_REQUIRE(std::vector<absl::Status> empty_statuses,
                      f.gc().DeleteOffsets("g", {Tp("orders", 0)}));
    CHECK_OK(empty_statuses.at(0));
    CHECK(f.Committed("g", Tp("orders", 0)) == -1);
    CHECK(f.State("g") == "Dead");
  }
  SECTION("a group with members that is not a consumer group refuses") {
    JoinGroupRequest r = f.JoinRequest("connect-group");
    r.protocol_type = "connect";
    r.require_known_member_id = false;
    REQUIRE_OK(f.Join(r).get().status);
    CHECK(ReasonOf(f.gc()
                       .DeleteOffsets("connect-group", {Tp("orders", 0)})
                       .status()) == "NON_EMPTY_GROUP");
  }
}

TEST_CASE("offsets expire per offsets.retention.minutes", "[group]") {
  CoordinatorFixture f;
  const int64_t retention = 60'000;
  f.config.offsets_retention_ms = retention;

  SECTION("a group that only stores offsets: counted from the commit") {
    CHECK_OK(f.Commit("simple", -1, "", {At(Tp("t", 0), 1)})[0]);
    f.clock->AdvanceMs(retention / 2);
    CHECK_OK(f.Commit("simple", -1, "", {At(Tp("t", 1), 1)})[0]);
    f.clock->AdvanceMs(retention / 2 - 1);
    CHECK(*f.gc().ExpireOffsets() == 0);
    f.clock->AdvanceMs(1);
    CHECK(*f.gc().ExpireOffsets() == 1);
    CHECK(f.Committed("simple", Tp("t", 0)) == -1);
    CHECK(f.Committed("simple", Tp("t", 1)) == 1);
    f.clock->AdvanceMs(retention / 2);
    CHECK(*f.gc().ExpireOffsets() == 1);
    // Nothing left: the group is gone, and stays gone after a restart.
    CHECK(f.gc().ListGroups().empty());
    f.Reopen();
    CHECK(f.gc().ListGroups().empty());
  }
  SECTION("a consumer group: counted from when it became empty") {
    const JoinGroupResponse j = f.JoinNewNow("g");
    f.SyncAll("g", {j});
    CHECK_OK(
        f.Commit("g", j.generation_id, j.member_id, {At(Tp("t", 0), 1)})[0]);
    // Members keep their offsets however old.
    for (int i = 0; i < 8; ++i) {
      f.clock->AdvanceMs(retention / 8);
      CHECK_OK(f.Heartbeat("g", j.member_id, j.generation_id));
    }
    CHECK(*f.gc().ExpireOffsets() == 0);
    REQUIRE_OK(f.gc()
                   .LeaveGroup({.group_id = "g", .members = {{j.member_id}}})
                   .member_statuses.at(0));
    f.clock->AdvanceMs(retention - 1);
    CHECK(*f.gc().ExpireOffsets() == 0);
    f.clock->AdvanceMs(1);
    CHECK(*f.gc().ExpireOffsets() == 1);
    CHECK(f.State("g") == "Dead");
    // Its metadata record was deleted too.
    f.Reopen();
    CHECK(f.State("g") == "Dead");
    CHECK(f.gc().ListGroups().empty());
  }
  SECTION("the coordinator expires them by itself every check interval") {
    f.config.offsets_retention_check_interval_ms = 10'000;
    CHECK_OK(f.Commit("simple", -1, "", {At(Tp("t", 0), 1)})[0]);
    f.clock->AdvanceMs(retention);
    CHECK(f.Committed("simple", Tp("t", 0)) == -1);
  }
}

TEST_CASE(
    "a commit's own retention time or timestamp (OffsetCommit v1-4) sets "
    "when its offset expires",
    "[group]") {
  CoordinatorFixture f;
  const int64_t retention = 60'000;
  f.config.offsets_retention_ms = retention;

  SECTION("an explicit retention time, also after a restart") {
    Answer<OffsetCommitResponse> answer;
    f.gc().CommitOffsets({.group_id = "simple",
                          .retention_time_ms = 5'000,
                          .offsets = {At(Tp("t", 0), 1)}},
                         answer.Callback());
    REQUIRE(answer.ready());
    REQUIRE_OK(answer.get().partition_statuses.at(0));
    CHECK_OK(f.Commit("simple", -1, "", {At(Tp("t", 1), 2)})[0]);
    f.Reopen();
    f.clock->AdvanceMs(4'999);
    CHECK(*f.gc().ExpireOffsets() == 0);
    f.clock->AdvanceMs(1);
    CHECK(*f.gc().ExpireOffsets() == 1);
    CHECK(f.Committed("simple", Tp("t", 0)) == -1);
    CHECK(f.Committed("simple", Tp("t", 1)) == 2);
  }
  SECTION("a client's commit timestamp") {
    OffsetCommitPartition p = At(Tp("t", 0), 1);
    p.commit_timestamp_ms = kStartMs - retention + 10;
    CHECK_OK(f.Commit("simple", -1, "", {p})[0]);
    ASSIGN_OR_REQUIRE(
        std::vector<CommittedOffset> fetched,
        f.gc().FetchOffsets("simple", std::vector<TopicPartition>{Tp("t", 0)}));
    CHECK(fetched.at(0).commit_timestamp_ms == kStartMs - retention + 10);
    f.clock->AdvanceMs(9);
    CHECK(*f.gc().ExpireOffsets() == 0);
    f.clock->AdvanceMs(1);
    CHECK(*f.gc().ExpireOffsets() == 1);
  }
}

TEST_CASE(
    "concurrent commits from many threads all land, in order per "
    "partition",
    "[group]") {
  CoordinatorFixture f;
  f.gc();
  constexpr int kThreads = 4;
  constexpr int kCommits = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&f, t] {
      for (int i = 1; i <= kCommits; ++i) {
        Answer<OffsetCommitResponse> answer;
        f.coordinator->CommitOffsets(
            {.group_id = "g", .offsets = {At(Tp("t", t), i)}},
            answer.Callback());
        // Another thread may be appending for everyone: wait for ours.
        CHECK_OK(answer.Wait().partition_statuses.at(0));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(f.Committed("g", Tp("t", t)) == kCommits);
  }
  f.Reopen();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(f.Committed("g", Tp("t", t)) == kCommits);
  }
}

TEST_CASE("DescribeGroup and ListGroups show the groups", "[group]") {
  CoordinatorFixture f;
  const JoinGroupResponse j = f.JoinNewNow("g");
  f.SyncAll("g", {j});
  CHECK_OK(f.Commit("simple", -1, "", {At(Tp("t", 0), 1)})[0]);
  std::vector<GroupListing> groups = f.gc().ListGroups();
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].group_id == "g");
  CHECK(groups[0].protocol_type == "consumer");
  CHECK(groups[0].state == "Stable");
  CHECK(groups[1].group_id == "simple");
  CHECK(groups[1].state == "Empty");

  ASSIGN_OR_REQUIRE(GroupDescription d, f.gc().DescribeGroup("g"));
  CHECK(d.protocol_name == "range");
  REQUIRE(d.members.size() == 1);
  CHECK(d.members[0].client_id == "client");
  CHECK(d.members[0].client_host == "/127.0.0.1");
  CHECK(d.members[0].metadata == "meta-range");
  CHECK(d.members[0].assignment == "assign-0");
  ASSIGN_OR_REQUIRE(GroupDescription none, f.gc().DescribeGroup("nope"));
  CHECK(none.state == "Dead");
}

}  // namespace
}  // namespace rill::group_test
