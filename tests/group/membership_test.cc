// How members leave (LeaveGroup, session expiry, syncs never sent) and how
// static members come back.
#include <catch2/catch.hpp>

#include "group/group_test_util.h"

namespace rill::group_test {
namespace {

JoinGroupRequest StaticRequest(CoordinatorFixture& f, const std::string& group,
                               const std::string& instance,
                               const std::string& member_id = "") {
  JoinGroupRequest r = f.JoinRequest(group, member_id);
  r.group_instance_id = instance;
  return r;
}

TEST_CASE(
    "when a member leaves, the others are told to rejoin and get the "
    "next generation",
    "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 3);
  f.SyncAll("g", joins);
  const int32_t generation = joins[0].generation_id;

  LeaveGroupResponse left =
      f.gc().LeaveGroup({.group_id = "g", .members = {{joins[2].member_id}}});
  REQUIRE_OK(left.status);
  REQUIRE(left.member_statuses.size() == 1);
  CHECK_OK(left.member_statuses[0]);
  CHECK(f.State("g") == "PreparingRebalance");
  CHECK(ReasonOf(f.Heartbeat("g", joins[0].member_id, generation)) ==
        "REBALANCE_IN_PROGRESS");
  CHECK(ReasonOf(f.Heartbeat("g", joins[1].member_id, generation)) ==
        "REBALANCE_IN_PROGRESS");
  CHECK(ReasonOf(f.Heartbeat("g", joins[2].member_id, generation)) ==
        "UNKNOWN_MEMBER_ID");

  Answer<JoinGroupResponse> a = f.Join(f.JoinRequest("g", joins[0].member_id));
  CHECK(!a.ready());
  Answer<JoinGroupResponse> b = f.Join(f.JoinRequest("g", joins[1].member_id));
  REQUIRE(a.ready());
  REQUIRE(b.ready());
  CHECK(a.get().generation_id == generation + 1);
  CHECK(b.get().generation_id == generation + 1);
  CHECK(a.get().members.size() == 2);
}

TEST_CASE(
    "when the last member leaves the group becomes Empty in a new "
    "generation",
    "[group]") {
  CoordinatorFixture f;
  const JoinGroupResponse j = f.JoinNewNow("g");
  f.SyncAll("g", {j});
  LeaveGroupResponse left =
      f.gc().LeaveGroup({.group_id = "g", .members = {{j.member_id}}});
  REQUIRE_OK(left.member_statuses.at(0));
  ASSIGN_OR_REQUIRE(GroupDescription d, f.gc().DescribeGroup("g"));
  CHECK(d.state == "Empty");
  CHECK(d.generation_id == j.generation_id + 1);
  CHECK(d.members.empty());
}

TEST_CASE("LeaveGroup v3 removes a list of members, each answered", "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 3);
  f.SyncAll("g", joins);
  LeaveGroupResponse left =
      f.gc().LeaveGroup({.group_id = "g",
                         .members = {{joins[0].member_id},
                                     {joins[1].member_id},
                                     {"client-unknown"},
                                     {"", "no-such-instance"}}});
  REQUIRE_OK(left.status);
  REQUIRE(left.member_statuses.size() == 4);
  CHECK_OK(left.member_statuses[0]);
  CHECK_OK(left.member_statuses[1]);
  CHECK(ReasonOf(left.member_statuses[2]) == "UNKNOWN_MEMBER_ID");
  CHECK(ReasonOf(left.member_statuses[3]) == "UNKNOWN_MEMBER_ID");
  Answer<JoinGroupResponse> c = f.Join(f.JoinRequest("g", joins[2].member_id));
  REQUIRE(c.ready());
  CHECK(c.get().leader == joins[2].member_id);
  CHECK(c.get().members.size() == 1);

  LeaveGroupResponse none =
      f.gc().LeaveGroup({.group_id = "other", .members = {{"x"}}});
  REQUIRE_OK(none.status);
  CHECK(ReasonOf(none.member_statuses.at(0)) == "UNKNOWN_MEMBER_ID");
}

TEST_CASE(
    "a member whose session expires is removed and the group "
    "rebalances",
    "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  f.SyncAll("g", joins);
  const int32_t generation = joins[0].generation_id;
  f.clock->AdvanceMs(6'000);
  CHECK_OK(f.Heartbeat("g", joins[0].member_id, generation));
  f.clock->AdvanceMs(kSessionMs - 6'000 - 1);
  CHECK_OK(f.Heartbeat("g", joins[0].member_id, generation));
  f.clock->AdvanceMs(1);  // the follower's session is over
  CHECK(ReasonOf(f.Heartbeat("g", joins[1].member_id, generation)) ==
        "UNKNOWN_MEMBER_ID");
  CHECK(ReasonOf(f.Heartbeat("g", joins[0].member_id, generation)) ==
        "REBALANCE_IN_PROGRESS");
  Answer<JoinGroupResponse> a = f.Join(f.JoinRequest("g", joins[0].member_id));
  REQUIRE(a.ready());
  CHECK(a.get().generation_id == generation + 1);
  CHECK(a.get().members.size() == 1);
}

TEST_CASE(
    "a member that never sends SyncGroup is removed after the "
    "rebalance timeout",
    "[group]") {
  CoordinatorFixture f;
  const std::vector<JoinGroupResponse> joins = f.JoinMembers("g", 2);
  const int32_t generation = joins[0].generation_id;
  Answer<SyncGroupResponse> leader =
      f.Sync("g", joins[0], {{joins[0].member_id, "x"}});
  REQUIRE(leader.ready());
  CHECK(f.State("g") == "Stable");
  // The follower heartbeats but never asks for its assignment.
  for (int t = 0; t < kRebalanceMs; t += 5'000) {
    CHECK_OK(f.Heartbeat("g", joins[1].member_id, generation));
    CHECK_OK(f.Heartbeat("g", joins[0].member_id, generation));
    f.clock->AdvanceMs(5'000);
  }
  CHECK(ReasonOf(f.Heartbeat("g", joins[1].member_id, generation)) ==
        "UNKNOWN_MEMBER_ID");
  CHECK(f.State("g") == "PreparingRebalance");
}

// StaticGroup: static member "inst-a" (the leader) and a dynamic member,
// Stable with assignments "assign-0" and "assign-1".
struct StaticGroup {
  CoordinatorFixture f;
  std::vector<JoinGroupResponse> joins;

  explicit StaticGroup(
      std::vector<GroupProtocol> protocols = Protocols({"range"})) {
    JoinGroupRequest a = StaticRequest(f, "g", "inst-a");
    a.protocols = protocols;
    Answer<JoinGroupResponse> first = f.Join(a);
    REQUIRE(first.ready());
    REQUIRE_OK(first.get().status);
    JoinGroupRequest b_request = f.JoinRequest("g");
    b_request.protocols = protocols;
    Answer<JoinGroupResponse> b = f.JoinNew(b_request);
    a.member_id = first.get().member_id;
    Answer<JoinGroupResponse> a_again = f.Join(a);
    REQUIRE(a_again.ready());
    REQUIRE(b.ready());
    joins = {a_again.get(), b.get()};
    f.SyncAll("g", joins);
  }
  const std::string& old_id() const { return joins[0].member_id; }
  int32_t generation() const { return joins[0].generation_id; }
};

TEST_CASE(
    "a restarted static member takes over its assignment without a "
    "rebalance, fencing its old id",
    "[group]") {
  StaticGroup s;
  CoordinatorFixture& f = s.f;
  CHECK(s.old_id().rfind("inst-a-", 0) == 0);
  Answer<JoinGroupResponse> restarted = f.Join(StaticRequest(f, "g", "inst-a"));
  REQUIRE(restarted.ready());
  const JoinGroupResponse r = restarted.get();
  REQUIRE_OK(r.status);
  CHECK(r.generation_id == s.generation());
  CHECK(r.member_id != s.old_id());
  CHECK(r.members.empty());
  // The old leader id, so the new incarnation runs no assignment.
  CHECK(r.leader == s.old_id());
  CHECK(f.State("g") == "Stable");

  SyncGroupRequest sync{.group_id = "g",
                        .generation_id = r.generation_id,
                        .member_id = r.member_id,
                        .group_instance_id = "inst-a"};
  Answer<SyncGroupResponse> synced;
  f.gc().SyncGroup(sync, synced.Callback());
  REQUIRE(synced.ready());
  REQUIRE_OK(synced.get().status);
  CHECK(synced.get().assignment == "assign-0");
  CHECK_OK(f.Heartbeat("g", s.joins[1].member_id, s.generation()));
  CHECK_OK(f.Heartbeat("g", r.member_id, s.generation(), "inst-a"));

  // The old incarnation is fenced everywhere.
  CHECK(ReasonOf(f.Heartbeat("g", s.old_id(), s.generation(), "inst-a")) ==
        "FENCED_INSTANCE_ID");
  sync.member_id = s.old_id();
  Answer<SyncGroupResponse> old_sync;
  f.gc().SyncGroup(sync, old_sync.Callback());
  CHECK(ReasonOf(old_sync.get().status) == "FENCED_INSTANCE_ID");
  CHECK(ReasonOf(f.Commit("g", s.generation(), s.old_id(), {At(Tp("t", 0), 1)},
                          "inst-a")
                     .at(0)) == "FENCED_INSTANCE_ID");
  CHECK(ReasonOf(
            f.Join(StaticRequest(f, "g", "inst-a", s.old_id())).get().status) ==
        "FENCED_INSTANCE_ID");
  ASSIGN_OR_REQUIRE(GroupDescription d, f.gc().DescribeGroup("g"));
  CHECK(d.generation_id == s.generation());
  REQUIRE(d.members.size() == 2);
  for (const GroupMemberDescription& m : d.members) {
    CHECK(m.member_id != s.old_id());
  }
}

TEST_CASE(
    "a static member that comes back with protocols changing the "
    "group's choice triggers a rebalance",
    "[group]") {
  StaticGroup s(Protocols({"range", "roundrobin"}));
  JoinGroupRequest r = StaticRequest(s.f, "g", "inst-a");
  r.protocols = Protocols({"roundrobin"});
  Answer<JoinGroupResponse> restarted = s.f.Join(r);
  CHECK(!restarted.ready());
  CHECK(s.f.State("g") == "PreparingRebalance");
  Answer<JoinGroupResponse> b = s.f.Join(s.f.JoinRequest(
      "g", s.joins[1].member_id, Protocols({"range", "roundrobin"})));
  REQUIRE(restarted.ready());
  REQUIRE(b.ready());
  CHECK(restarted.get().generation_id == s.generation() + 1);
  CHECK(restarted.get().protocol_name == "roundrobin");
}

TEST_CASE(
    "a static member's replacement is undone if its record cannot be "
    "written",
    "[group]") {
  StaticGroup s;
  s.f.log->set_fail_appends(true);
  Answer<JoinGroupResponse> restarted =
      s.f.Join(StaticRequest(s.f, "g", "inst-a"));
  REQUIRE(restarted.ready());
  CHECK(ReasonOf(restarted.get().status) == "COORDINATOR_NOT_AVAILABLE");
  s.f.log->set_fail_appends(false);
  CHECK_OK(s.f.Heartbeat("g", s.old_id(), s.generation(), "inst-a"));
  CHECK(s.f.State("g") == "Stable");
}

TEST_CASE(
    "a static member restarting while its old self waits in SyncGroup "
    "fences it and rebalances",
    "[group]") {
  CoordinatorFixture f;
  // b (dynamic) leads; a (static) follows and waits for its assignment.
  const JoinGroupResponse b = f.JoinNewNow("g");
  Answer<JoinGroupResponse> a = f.Join(StaticRequest(f, "g", "inst-a"));
  Answer<JoinGroupResponse> b_again = f.Join(f.JoinRequest("g", b.member_id));
  REQUIRE(a.ready());
  Answer<SyncGroupResponse> waiting = f.Sync("g", a.get());
  REQUIRE(!waiting.ready());
  Answer<JoinGroupResponse> restarted = f.Join(StaticRequest(f, "g", "inst-a"));
  REQUIRE(waiting.ready());
  CHECK(ReasonOf(waiting.get().status) == "FENCED_INSTANCE_ID");
  CHECK(!restarted.ready());
  CHECK(f.State("g") == "PreparingRebalance");
}

TEST_CASE(
    "static members survive a rebalance they miss, but not their "
    "session timeout",
    "[group]") {
  StaticGroup s;
  CoordinatorFixture& f = s.f;
  const std::string b_id = s.joins[1].member_id;
  // b changes its metadata; a (static, the leader) never rejoins but
  // heartbeats.
  Answer<JoinGroupResponse> b =
      f.Join(f.JoinRequest("g", b_id, Protocols({"range"}, "-v2")));
  REQUIRE(!b.ready());
  for (int i = 0; i < 2; ++i) {
    f.clock->AdvanceMs(8'000);
    CHECK(ReasonOf(f.Heartbeat("g", s.old_id(), s.generation(), "inst-a")) ==
          "REBALANCE_IN_PROGRESS");
  }
  CHECK(!b.ready());
  f.clock->AdvanceMs(kRebalanceMs - 16'000);
  REQUIRE(b.ready());
  // The static member is still in, and b leads now.
  CHECK(b.get().leader == b_id);
  CHECK(b.get().generation_id == s.generation() + 1);
  CHECK(b.get().members.size() == 2);
  // b takes its assignment; a is never heard from again.
  f.clock->AdvanceMs(5'000);
  Answer<SyncGroupResponse> synced = f.Sync("g", b.get(), {{b_id, "all"}});
  REQUIRE_OK(synced.get().status);
  CHECK_OK(f.Heartbeat("g", b_id, b.get().generation_id));
  f.clock->AdvanceMs(kSessionMs - 5'000);
  CHECK(ReasonOf(f.Heartbeat("g", s.old_id(), b.get().generation_id,
                             "inst-a")) == "UNKNOWN_MEMBER_ID");
  CHECK(ReasonOf(f.Heartbeat("g", b_id, b.get().generation_id)) ==
        "REBALANCE_IN_PROGRESS");
}

TEST_CASE("an administrator removes a static member by its instance id",
          "[group]") {
  StaticGroup s;
  LeaveGroupResponse left = s.f.gc().LeaveGroup(
      {.group_id = "g", .members = {{.group_instance_id = "inst-a"}}});
  REQUIRE_OK(left.member_statuses.at(0));
  CHECK(ReasonOf(s.f.Heartbeat("g", s.old_id(), s.generation(), "inst-a")) ==
        "UNKNOWN_MEMBER_ID");
  CHECK(s.f.State("g") == "PreparingRebalance");
}

}  // namespace
}  // namespace rill::group_test
