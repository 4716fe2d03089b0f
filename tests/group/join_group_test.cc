// JoinGroup and SyncGroup: member ids, leader election, protocol selection,
// the rebalance's completion and its timeouts.
#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "group/group_test_util.h"

namespace rill::group_test {
namespace {

TEST_CASE("a single member joins, gets its own assignment and heartbeats",
          "[group]") {
  CoordinatorFixture f;
  Answer<JoinGroupResponse> joined = f.JoinNew(f.JoinRequest("g"));
  REQUIRE(joined.ready());
  const JoinGroupResponse j = joined.get();
  REQUIRE_OK(j.status);
  CHECK(j.generation_id == 1);
  CHECK(j.leader == j.member_id);
  CHECK(j.protocol_type == "consumer");
  CHECK(j.protocol_name == "range");
  REQUIRE(j.members.size() == 1);
  CHECK(j.members[0].member_id == j.member_id);
  CHECK(j.members[0].metadata == "meta-range");
  CHECK(f.State("g") == "CompletingRebalance");
  // Heartbeats are fine while the leader works on the assignment.
  CHECK_OK(f.Heartbeat("g", j.member_id, 1));

  Answer<SyncGroupResponse> synced = f.Sync("g", j, {{j.member_id, "a-0"}});
  REQUIRE(synced.ready());
  REQUIRE_OK(synced.get().status);
  CHECK(synced.get().assignment == "a-0");
  CHECK(synced.get().protocol_name == "range");
  CHECK(f.State("g") == "Stable");

  CHECK_OK(f.Heartbeat("g", j.member_id, 1));
  CHECK(ReasonOf(f.Heartbeat("g", j.member_id, 0)) == "ILLEGAL_GENERATION");
  CHECK(ReasonOf(f.Heartbeat("g", "client-nobody", 1)) == "UNKNOWN_MEMBER_ID");
  CHECK(ReasonOf(f.Heartbeat("other", j.member_id, 1)) == "UNKNOWN_MEMBER_ID");
}

TEST_CASE("a new member gets MEMBER_ID_REQUIRED with an id to join with",
          "[group]") {
  CoordinatorFixture f;
  JoinGroupRequest r = f.JoinRequest("g");
  r.client_id = "app";
  Answer<JoinGroupResponse> first = f.Join(r);
  REQUIRE(first.ready());
  CHECK(ReasonOf(first.get().status) == "MEMBER_ID_REQUIRED");
  const std::string id = first.get().member_id;
  CHECK(id.rfind("app-", 0) == 0);
  CHECK(id.size() == std::string("app-").size() + 36);  // a UUID
  // The pending id is not a member yet.
  CHECK(f.State("g") == "Empty");

  SECTION("joining with it completes the join") {
    r.member_id = id;
    Answer<JoinGroupResponse> second = f.Join(r);
    REQUIRE(second.ready());
    REQUIRE_OK(second.get().status);
    CHECK(second.get().member_id == id);
    CHECK(second.get().generation_id == 1);
  }
  SECTION("an id the coordinator never gave out is unknown") {
    r.member_id = "app-made-up";
    Answer<JoinGroupResponse> second = f.Join(r);
    REQUIRE(second.ready());
    CHECK(ReasonOf(second.get().status) == "UNKNOWN_MEMBER_ID");
  }
  SECTION("without require_known_member_id the first join is enough") {
    r.require_known_member_id = false;
    Answer<JoinGroupResponse> second = f.Join(r);
    REQUIRE(second.ready());
    REQUIRE_OK(second.get().status);
    CHECK(second.get().member_id != id);
  }
}

TEST_CASE("a rebalance waits for a pending member, which expires unused",
          "[group]") {
  CoordinatorFixture f;
  const JoinGroupResponse a = f.JoinNewNow("g");
  f.SyncAll("g", {a});
  // b is handed an id, then a (the leader) rejoins: the join waits for b.
  Answer<JoinGroupResponse> b_first = f.Join(f.JoinRequest("g"));
  REQUIRE(ReasonOf(b_first.get().status) == "MEMBER_ID_REQUIRED");
  Answer<JoinGroupResponse> a_again = f.Join(f.JoinRequest("g", a.member_id));
  REQUIRE(!a_again.ready());

  SECTION("until b joins with its id") {
    Answer<JoinGroupResponse> b =
        f.Join(f.JoinRequest("g", b_first.get().member_id));
    REQUIRE(b.ready());
    REQUIRE(a_again.ready());
    CHECK(a_again.get().generation_id == 2);
    CHECK(a_again.get().members.size() == 2);
    CHECK(b.get().generation_id == 2);
    CHECK(b.get().members.empty());
  }
  SECTION("or b's session timeout passes") {
    f.clock->AdvanceMs(kSessionMs - 1);
    CHECK(!a_again.ready());
    f.clock->AdvanceMs(1);
    REQUIRE(a_again.ready());
    REQUIRE_OK(a_again.get().status);
    CHECK(a_again.get().generation_id == 2);
    CHECK(a_again.get().members.size() == 1);
    Answer<JoinGroupResponse> late =
        f.Join(f.JoinRequest("g", b_first.get().member_id));
    CHECK(ReasonOf(late.get().status) == "UNKNOWN_MEMBER_ID");
  }
}

TEST_CASE("with three members only the leader gets everyone's metadata",
          "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers(
      "g", {Protocols({"range"}, "-a"), Protocols({"range"}, "-b"),
            Protocols({"range"}, "-c")});
  const JoinGroupResponse& leader = joins[0];
  CHECK(leader.generation_id == 2);
  REQUIRE(leader.members.size() == 3);
  std::map<std::string, std::string> metadata;
  for (const JoinGroupMember& m : leader.members) {
    metadata[m.member_id] = m.metadata;
  }
  CHECK(metadata[joins[0].member_id] == "meta-range-a");
  CHECK(metadata[joins[1].member_id] == "meta-range-b");
  CHECK(metadata[joins[2].member_id] == "meta-range-c");
  for (size_t i = 1; i < joins.size(); ++i) {
    CHECK(joins[i].members.empty());
    CHECK(joins[i].leader == leader.member_id);
  }
  f.SyncAll("g", joins);
  CHECK(f.State("g") == "Stable");
}

TEST_CASE(
    "followers wait for the leader's assignment; left-out members get "
    "an empty one",
    "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  Answer<SyncGroupResponse> follower = f.Sync("g", joins[1]);
  CHECK(!follower.ready());
  CHECK(f.State("g") == "CompletingRebalance");
  Answer<SyncGroupResponse> leader =
      f.Sync("g", joins[0],
             {{joins[0].member_id, "mine"}, {"not-a-member", "ignored"}});
  REQUIRE(leader.ready());
  REQUIRE(follower.ready());
  CHECK(leader.get().assignment == "mine");
  REQUIRE_OK(follower.get().status);
  CHECK(follower.get().assignment.empty());
  CHECK(f.State("g") == "Stable");
  // A sync in the Stable state returns the stored assignment at once.
  Answer<SyncGroupResponse> again = f.Sync("g", joins[0]);
  REQUIRE(again.ready());
  CHECK(again.get().assignment == "mine");
}

TEST_CASE("SyncGroup checks generation, member and protocol", "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  JoinGroupResponse stale = joins[1];
  stale.generation_id -= 1;
  CHECK(ReasonOf(f.Sync("g", stale).get().status) == "ILLEGAL_GENERATION");
  JoinGroupResponse stranger = joins[1];
  stranger.member_id = "client-stranger";
  CHECK(ReasonOf(f.Sync("g", stranger).get().status) == "UNKNOWN_MEMBER_ID");
  CHECK(ReasonOf(f.Sync("nope", joins[1]).get().status) == "UNKNOWN_MEMBER_ID");

  SyncGroupRequest r{.group_id = "g",
                     .generation_id = joins[1].generation_id,
                     .member_id = joins[1].member_id,
                     .protocol_name = "roundrobin"};
  Answer<SyncGroupResponse> wrong_protocol;
  f.gc().SyncGroup(r, wrong_protocol.Callback());
  CHECK(ReasonOf(wrong_protocol.get().status) == "INCONSISTENT_GROUP_PROTOCOL");

  // While a rebalance is being prepared, a sync is told to rejoin.
  Answer<JoinGroupResponse> rejoin = f.Join(
      f.JoinRequest("g", joins[0].member_id, Protocols({"range"}, "-v2")));
  REQUIRE(!rejoin.ready());
  CHECK(f.State("g") == "PreparingRebalance");
  CHECK(ReasonOf(f.Sync("g", joins[1]).get().status) ==
        "REBALANCE_IN_PROGRESS");
  CHECK(
      ReasonOf(f.Heartbeat("g", joins[1].member_id, joins[1].generation_id)) ==
      "REBALANCE_IN_PROGRESS");
}

TEST_CASE("the protocol is chosen by vote among those every member supports",
          "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins =
      f.JoinMembers("g", {Protocols({"roundrobin", "range", "sticky"}),
                          Protocols({"range", "roundrobin"}),
                          Protocols({"roundrobin", "range"})});
  // "sticky" is not supported by all; roundrobin has two first choices.
  for (const JoinGroupResponse& j : joins) {
    CHECK(j.protocol_name == "roundrobin");
  }
  for (const JoinGroupMember& m : joins[0].members) {
    CHECK(m.metadata == "meta-roundrobin");
  }
}

TEST_CASE("a member with no protocol in common is refused", "[group]") {
  CoordinatorFixture f;
  f.JoinNewNow("g", Protocols({"range"}));

  SECTION("different protocol names") {
    Answer<JoinGroupResponse> other =
        f.Join(f.JoinRequest("g", "", Protocols({"roundrobin"})));
    CHECK(ReasonOf(other.get().status) == "INCONSISTENT_GROUP_PROTOCOL");
  }
  SECTION("a different protocol type") {
    JoinGroupRequest r = f.JoinRequest("g");
    r.protocol_type = "connect";
    CHECK(ReasonOf(f.Join(r).get().status) == "INCONSISTENT_GROUP_PROTOCOL");
  }
  SECTION("an empty group still needs a type and a protocol") {
    JoinGroupRequest r = f.JoinRequest("fresh");
    r.protocols.clear();
    CHECK(ReasonOf(f.Join(r).get().status) == "INCONSISTENT_GROUP_PROTOCOL");
    r = f.JoinRequest("fresh");
    r.protocol_type.clear();
    CHECK(ReasonOf(f.Join(r).get().status) == "INCONSISTENT_GROUP_PROTOCOL");
  }
}

TEST_CASE("session timeouts outside the broker's bounds are refused",
          "[group]") {
  CoordinatorFixture f;
  JoinGroupRequest r = f.JoinRequest("g");
  r.session_timeout_ms = f.config.group_min_session_timeout_ms - 1;
  CHECK(ReasonOf(f.Join(r).get().status) == "INVALID_SESSION_TIMEOUT");
  r.session_timeout_ms = f.config.group_max_session_timeout_ms + 1;
  CHECK(ReasonOf(f.Join(r).get().status) == "INVALID_SESSION_TIMEOUT");
  r.session_timeout_ms = f.config.group_min_session_timeout_ms;
  CHECK(ReasonOf(f.Join(r).get().status) == "MEMBER_ID_REQUIRED");
}

TEST_CASE("group.max.size turns away members beyond it", "[group]") {
  CoordinatorFixture f;
  f.config.group_max_size = 2;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  f.SyncAll("g", joins);
  Answer<JoinGroupResponse> third = f.Join(f.JoinRequest("g"));
  CHECK(ReasonOf(third.get().status) == "GROUP_MAX_SIZE_REACHED");
  // Members already in are not affected.
  CHECK_OK(f.Heartbeat("g", joins[1].member_id, joins[1].generation_id));
}

TEST_CASE(
    "members that do not rejoin within the rebalance timeout are "
    "removed",
    "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  f.SyncAll("g", joins);
  const int32_t generation = joins[0].generation_id;
  // The leader rejoins; the follower only keeps heartbeating.
  Answer<JoinGroupResponse> leader =
      f.Join(f.JoinRequest("g", joins[0].member_id));
  REQUIRE(!leader.ready());
  for (int elapsed = 0; elapsed + 8'000 < kRebalanceMs; elapsed += 8'000) {
    f.clock->AdvanceMs(8'000);
    CHECK(ReasonOf(f.Heartbeat("g", joins[1].member_id, generation)) ==
          "REBALANCE_IN_PROGRESS");
  }
  CHECK(!leader.ready());
  f.clock->AdvanceMs(kRebalanceMs - 16'000);
  REQUIRE(leader.ready());
  REQUIRE_OK(leader.get().status);
  CHECK(leader.get().generation_id == generation + 1);
  REQUIRE(leader.get().members.size() == 1);
  CHECK(ReasonOf(f.Heartbeat("g", joins[1].member_id, generation)) ==
        "UNKNOWN_MEMBER_ID");
}

TEST_CASE(
    "the first rebalance of an empty group waits the initial delay, "
    "longer while members arrive",
    "[group]") {
  CoordinatorFixture f;
  f.config.group_initial_rebalance_delay_ms = 3'000;
  Answer<JoinGroupResponse> a = f.JoinNew(f.JoinRequest("g"));
  CHECK(!a.ready());
  CHECK(f.State("g") == "PreparingRebalance");

  SECTION("alone, it completes after one delay") {
    f.clock->AdvanceMs(2'999);
    CHECK(!a.ready());
    f.clock->AdvanceMs(1);
    REQUIRE(a.ready());
    CHECK(a.get().generation_id == 1);
    CHECK(a.get().members.size() == 1);
  }
  SECTION("a second member extends it by another delay") {
    f.clock->AdvanceMs(1'000);
    Answer<JoinGroupResponse> b = f.JoinNew(f.JoinRequest("g"));
    f.clock->AdvanceMs(2'000);  // the first delay is over
    CHECK(!a.ready());
    CHECK(!b.ready());
    f.clock->AdvanceMs(3'000);
    REQUIRE(a.ready());
    REQUIRE(b.ready());
    CHECK(a.get().generation_id == 1);
    CHECK(b.get().generation_id == 1);
    CHECK(a.get().members.size() + b.get().members.size() == 2);
  }
  SECTION("but never longer than the rebalance timeout") {
    // A's rebalance timeout of 20 s leaves a budget of 17 s after the first
    // delay; a member arriving every second keeps extending it.
    int64_t elapsed = 0;
    std::vector<Answer<JoinGroupResponse>> others;
    while (!a.ready()) {
      others.push_back(f.JoinNew(f.JoinRequest("g")));
      f.clock->AdvanceMs(1'000);
      elapsed += 1'000;
      REQUIRE(elapsed <= kRebalanceMs + 3'000);
    }
    CHECK(elapsed == kRebalanceMs);
    CHECK(a.get().generation_id == 1);
    CHECK(a.get().members.size() == others.size() + 1);
  }
}

TEST_CASE("the leader's SyncGroup is answered once the assignment is stored",
          "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  Answer<SyncGroupResponse> follower = f.Sync("g", joins[1]);
  f.log->set_hold_appends(true);
  Answer<SyncGroupResponse> leader = f.Sync(
      "g", joins[0], {{joins[0].member_id, "a"}, {joins[1].member_id, "b"}});
  CHECK(!leader.ready());
  CHECK(!follower.ready());
  CHECK(f.State("g") == "CompletingRebalance");
  REQUIRE(f.log->held() == 1);
  f.log->set_hold_appends(false);
  f.log->ReleaseHeld();
  REQUIRE(leader.ready());
  REQUIRE(follower.ready());
  CHECK(leader.get().assignment == "a");
  CHECK(follower.get().assignment == "b");
  CHECK(f.State("g") == "Stable");
}

TEST_CASE(
    "a rejoin with the same metadata during CompletingRebalance gets "
    "the same answer",
    "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  Answer<JoinGroupResponse> again =
      f.Join(f.JoinRequest("g", joins[1].member_id));
  REQUIRE(again.ready());
  CHECK(again.get().generation_id == joins[1].generation_id);
  CHECK(f.State("g") == "CompletingRebalance");
  // Different metadata forces a new rebalance.
  Answer<JoinGroupResponse> changed = f.Join(
      f.JoinRequest("g", joins[1].member_id, Protocols({"range"}, "-new")));
  CHECK(!changed.ready());
  CHECK(f.State("g") == "PreparingRebalance");
}

TEST_CASE("requests for groups this coordinator does not own fail", "[group]") {
  CoordinatorFixture f;
  CHECK(ReasonOf(f.Join(f.JoinRequest("")).get().status) == "INVALID_GROUP_ID");
  CHECK(ReasonOf(f.Heartbeat("", "m", 1)) == "INVALID_GROUP_ID");

  const JoinGroupResponse j = f.JoinNewNow("g");
  const int32_t p = GroupCoordinator::PartitionFor("g", f.partitions);
  SECTION("after an unload") {
    Answer<JoinGroupResponse> other = f.JoinNew(f.JoinRequest("g"));
    REQUIRE(!other.ready());
    f.gc().UnloadPartition(p);
    REQUIRE(other.ready());
    CHECK(ReasonOf(other.get().status) == "NOT_COORDINATOR");
    CHECK(ReasonOf(f.Heartbeat("g", j.member_id, 1)) == "NOT_COORDINATOR");
    CHECK(ReasonOf(f.Join(f.JoinRequest("g")).get().status) ==
          "NOT_COORDINATOR");
    absl::StatusOr<GroupDescription> d = f.gc().DescribeGroup("g");
    CHECK(ReasonOf(d.status()) == "NOT_COORDINATOR");
  }
  SECTION("while the partition loads") {
    f.gc().UnloadPartition(p);
    f.log->BlockReads();
    std::thread loader([&] { CHECK_OK(f.gc().LoadPartition(p)); });
    f.log->WaitForBlockedRead();
    CHECK(ReasonOf(f.Join(f.JoinRequest("g")).get().status) ==
          "COORDINATOR_LOAD_IN_PROGRESS");
    // As Kafka: a heartbeat is answered blindly, a sync says rejoin.
    CHECK_OK(f.Heartbeat("g", j.member_id, 1));
    CHECK(ReasonOf(f.Sync("g", j).get().status) == "REBALANCE_IN_PROGRESS");
    f.log->UnblockReads();
    loader.join();
    // The rebalance in flight was never stored: the group is gone.
    CHECK(f.State("g") == "Dead");
  }
  SECTION("after Close") {
    Answer<JoinGroupResponse> other = f.JoinNew(f.JoinRequest("g"));
    REQUIRE_OK(f.gc().Close());
    REQUIRE(other.ready());
    CHECK(ReasonOf(other.get().status) == "COORDINATOR_NOT_AVAILABLE");
    CHECK(ReasonOf(f.Heartbeat("g", j.member_id, 1)) ==
          "COORDINATOR_NOT_AVAILABLE");
  }
}

}  // namespace
}  // namespace rill::group_test
