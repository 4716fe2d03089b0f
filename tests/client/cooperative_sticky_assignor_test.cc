#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rill/client/assignor.h"
#include "status_test_util.h"

namespace rill {
namespace {

using Partitions = std::vector<TopicPartition>;
using Counts = Assignor::PartitionCounts;

TopicPartition TP(const std::string& topic, int32_t partition) {
  return {.topic = topic, .partition = PartitionId(partition)};
}

Assignor::GroupAssignment Assign(const Counts& counts,
                                 const Assignor::Subscriptions& subs) {
  absl::StatusOr<Assignor::GroupAssignment> got =
      NewCooperativeStickyAssignor()->Assign(counts, subs);
  REQUIRE_OK(got);
  return *std::move(got);
}

// AllPartitions lists every partition of the topics someone subscribes to.
std::set<TopicPartition> Assignable(const Counts& counts,
                                    const Assignor::Subscriptions& subs) {
  std::set<TopicPartition> out;
  for (const auto& [member, sub] : subs) {
    for (const std::string& topic : sub.topics) {
      auto it = counts.find(topic);
      if (it == counts.end()) continue;
      for (int32_t p = 0; p < it->second; ++p) out.insert(TP(topic, p));
    }
  }
  return out;
}

bool Subscribes(const Assignor::Subscription& sub, const std::string& topic) {
  return std::find(sub.topics.begin(), sub.topics.end(), topic) !=
         sub.topics.end();
}

// RequireValid: every member has an entry, partitions exist, are assigned
// once, and only to members subscribed to their topic.
void RequireValid(const Counts& counts, const Assignor::Subscriptions& subs,
                  const Assignor::GroupAssignment& a) {
  REQUIRE(a.size() == subs.size());
  std::set<TopicPartition> seen;
  for (const auto& [member, partitions] : a) {
    REQUIRE(subs.contains(member));
    for (const TopicPartition& tp : partitions) {
      INFO(member << " got " << tp.ToString());
      REQUIRE(counts.contains(tp.topic));
      REQUIRE(tp.partition.value() < counts.at(tp.topic));
      REQUIRE(Subscribes(subs.at(member), tp.topic));
      REQUIRE(seen.insert(tp).second);
    }
  }
}

// RequireBalanced checks Kafka's balance criterion: no member could take a
// partition (of a topic it subscribes to) from a member holding two or more
// partitions more than it.
void RequireBalanced(const Assignor::Subscriptions& subs,
                     const Assignor::GroupAssignment& a) {
  for (const auto& [from, from_parts] : a) {
    for (const auto& [to, to_parts] : a) {
      if (from_parts.size() < to_parts.size() + 2) continue;
      for (const TopicPartition& tp : from_parts) {
        INFO(to << " (" << to_parts.size() << ") could take " << tp.ToString()
                << " from " << from << " (" << from_parts.size() << ")");
        REQUIRE(!Subscribes(subs.at(to), tp.topic));
      }
    }
  }
}

TEST_CASE("Cooperative-sticky spreads partitions evenly with no owners",
          "[client][assignor][sticky]") {
  Assignor::Subscriptions subs = {{"a", {.topics = {"t0", "t1"}}},
                                  {"b", {.topics = {"t0", "t1"}}},
                                  {"c", {.topics = {"t0", "t1"}}}};
  Counts counts = {{"t0", 4}, {"t1", 3}};
  auto a = Assign(counts, subs);
  RequireValid(counts, subs, a);
  RequireBalanced(subs, a);
  size_t total = 0;
  for (const auto& [m, parts] : a) total += parts.size();
  CHECK(total == 7);
}

TEST_CASE("Cooperative-sticky keeps a balanced assignment exactly as it is",
          "[client][assignor][sticky]") {
  Counts counts = {{"t", 5}, {"u", 2}};
  Assignor::Subscriptions subs = {
      {"a",
       {.topics = {"t", "u"},
        .owned_partitions = {TP("t", 4), TP("u", 0)},
        .generation_id = 3}},
      {"b",
       {.topics = {"t", "u"},
        .owned_partitions = {TP("t", 0), TP("t", 1)},
        .generation_id = 3}},
      {"c",
       {.topics = {"t"},
        .owned_partitions = {TP("t", 3), TP("u", 1), TP("t", 2)},
        .generation_id = 3}}};
  auto a = Assign(counts, subs);
  CHECK(a["a"] == Partitions{TP("t", 4), TP("u", 0)});
  CHECK(a["b"] == Partitions{TP("t", 0), TP("t", 1)});
  // c no longer subscribes to u: u-1 leaves c and, as c holds it until it
  // revokes it, goes to nobody this round.
  CHECK(a["c"] == Partitions{TP("t", 2), TP("t", 3)});

  SECTION("and once c has revoked it, u-1 is assigned") {
    subs["c"].owned_partitions = a["c"];
    auto next = Assign(counts, subs);
    CHECK(next["a"] == Partitions{TP("t", 4), TP("u", 0), TP("u", 1)});
    CHECK(next["b"] == a["b"]);
    CHECK(next["c"] == a["c"]);
  }
}

TEST_CASE(
    "A joining member gets moved partitions only after their owner "
    "revoked them",
    "[client][assignor][sticky]") {
  Counts counts = {{"t", 6}};
  Partitions all;
  for (int32_t p = 0; p < 6; ++p) all.push_back(TP("t", p));
  Assignor::Subscriptions subs = {
      {"a", {.topics = {"t"}, .owned_partitions = all, .generation_id = 1}},
      {"b", {.topics = {"t"}}}};

  // First round: a keeps half, the other half is revoked from a and given
  // to nobody.
  auto first = Assign(counts, subs);
  REQUIRE(first["a"].size() == 3);
  CHECK(first["b"].empty());

  // Follow-up round after a revoked: b gets exactly what a gave up.
  subs["a"].owned_partitions = first["a"];
  subs["a"].generation_id = 2;
  auto second = Assign(counts, subs);
  CHECK(second["a"] == first["a"]);
  Partitions expected_b;
  std::set_difference(all.begin(), all.end(), first["a"].begin(),
                      first["a"].end(), std::back_inserter(expected_b));
  CHECK(second["b"] == expected_b);
}

TEST_CASE("A leaving member's partitions go to the others at once",
          "[client][assignor][sticky]") {
  // No one else holds them, so there is nothing to wait for.
  Counts counts = {{"t", 4}};
  Assignor::Subscriptions subs = {
      {"a",
       {.topics = {"t"},
        .owned_partitions = {TP("t", 0), TP("t", 1)},
        .generation_id = 4}},
      {"c", {.topics = {"t"}, .owned_partitions = {}, .generation_id = 4}}};
  auto a = Assign(counts, subs);
  CHECK(a["a"] == Partitions{TP("t", 0), TP("t", 1)});
  CHECK(a["c"] == Partitions{TP("t", 2), TP("t", 3)});
}

TEST_CASE("Conflicting claims are settled by generation",
          "[client][assignor][sticky]") {
  Counts counts = {{"t", 2}};
  SECTION("the higher generation keeps the partition") {
    Assignor::Subscriptions subs = {{"a",
                                     {.topics = {"t"},
                                      .owned_partitions = {TP("t", 0)},
                                      .generation_id = 5}},
                                    {"b",
                                     {.topics = {"t"},
                                      .owned_partitions = {TP("t", 0)},
                                      .generation_id = 7}}};
    auto a = Assign(counts, subs);
    CHECK(a["b"] == Partitions{TP("t", 0)});
    CHECK(a["a"] == Partitions{TP("t", 1)});
  }
  SECTION("a generation carried in user data counts (protocol v0-v1)") {
    auto sticky = NewCooperativeStickyAssignor();
    Assignor::Subscriptions subs = {
        {"a",
         {.topics = {"t"},
          .user_data = sticky->SubscriptionUserData({}, 9),
          .owned_partitions = {TP("t", 0)}}},
        {"b",
         {.topics = {"t"},
          .owned_partitions = {TP("t", 0)},
          .generation_id = 7}}};
    auto a = Assign(counts, subs);
    CHECK(a["a"] == Partitions{TP("t", 0)});
    CHECK(a["b"] == Partitions{TP("t", 1)});
  }
  SECTION(
      "claims tied at the top generation are never given to a third "
      "member in that round") {
    Counts three = {{"t", 3}};
    Assignor::Subscriptions subs = {
        {"a",
         {.topics = {"t"},
          .owned_partitions = {TP("t", 0), TP("t", 1)},
          .generation_id = 3}},
        {"b",
         {.topics = {"t"},
          .owned_partitions = {TP("t", 0)},
          .generation_id = 3}},
        {"c", {.topics = {"t"}}}};
    auto a = Assign(three, subs);
    RequireValid(three, subs, a);
    for (const TopicPartition& tp : a["c"]) CHECK(tp != TP("t", 0));
    CHECK(a["a"] == Partitions{TP("t", 1)});  // its uncontested claim
  }
}

TEST_CASE(
    "Cooperative-sticky ignores claims on unknown or missing "
    "partitions",
    "[client][assignor][sticky]") {
  Counts counts = {{"t", 2}, {"gone", 0}};
  Assignor::Subscriptions subs = {
      {"a",
       {.topics = {"t", "gone", "unknown"},
        .owned_partitions = {TP("t", 7), TP("gone", 0), TP("unknown", 1),
                             TP("t", -1), TP("t", 1), TP("t", 1)},
        .generation_id = 2}},
      {"idle", {}}};
  auto a = Assign(counts, subs);
  CHECK(a["a"] == Partitions{TP("t", 0), TP("t", 1)});
  CHECK(a["idle"].empty());
  CHECK(Assign(counts, {}).empty());
  CHECK(NewCooperativeStickyAssignor()
            ->Assign({{"t", -2}}, {{"a", {.topics = {"t"}}}})
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Cooperative-sticky balances uneven subscriptions",
          "[client][assignor][sticky]") {
  // Only a can read u, so a takes all of u and b takes all of t.
  Counts counts = {{"t", 4}, {"u", 4}};
  Assignor::Subscriptions subs = {{"a", {.topics = {"t", "u"}}},
                                  {"b", {.topics = {"t"}}}};
  auto a = Assign(counts, subs);
  RequireValid(counts, subs, a);
  CHECK(a["a"] == Partitions{TP("u", 0), TP("u", 1), TP("u", 2), TP("u", 3)});
  CHECK(a["b"] == Partitions{TP("t", 0), TP("t", 1), TP("t", 2), TP("t", 3)});
}

// --- Property tests over random membership changes -------------------------

// Group simulates a consumer group running the cooperative protocol: after
// each assignment members revoke what they lost, and the group rebalances
// again until an assignment withholds nothing.
class Group {
 public:
  Group(uint32_t seed, bool equal_subscriptions)
      : rng_(seed), equal_(equal_subscriptions) {
    counts_ = {{"t0", Rand(1, 8)}, {"t1", Rand(1, 8)}, {"t2", Rand(0, 4)}};
  }

  // Step makes one random change and rebalances until stable.
  void Step() {
    const int change = Rand(0, 9);
    if (members_.empty() || change <= 3) {
      AddMember();
    } else if (change <= 5 && members_.size() > 1) {
      RemoveMember();
    } else if (change == 6 && !equal_) {
      auto it = std::next(members_.begin(),
                          Rand(0, static_cast<int>(members_.size()) - 1));
      it->second.topics = RandomTopics();
    } else if (change == 7) {
      const std::string topic = "t" + std::to_string(Rand(0, 2));
      counts_[topic] += Rand(1, 3);  // Kafka topics only grow
    }
    // else: a rebalance with no change (e.g. a member rejoining)
    Rebalance(change >= 8);
  }

 private:
  void AddMember() {
    members_["m" + std::to_string(next_id_++)] = {.topics = RandomTopics()};
  }
  void RemoveMember() {
    members_.erase(std::next(members_.begin(),
                             Rand(0, static_cast<int>(members_.size()) - 1)));
  }
  std::vector<std::string> RandomTopics() {
    if (equal_) return {"t0", "t1", "t2"};
    std::vector<std::string> topics;
    for (const char* t : {"t0", "t1", "t2"}) {
      if (Rand(0, 1) == 1) topics.push_back(t);
    }
    return topics;
  }
  int32_t Rand(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }

  void Rebalance(bool nothing_changed) {
    for (int round = 1;; ++round) {
      INFO("round " << round);
      REQUIRE(round <= (equal_ ? 2 : 4));
      ++generation_;
      auto a = Assign(counts_, members_);
      RequireValid(counts_, members_, a);

      // Cooperative: nothing is assigned to a member while another holds it.
      std::map<TopicPartition, std::string> holder;
      for (const auto& [id, sub] : members_) {
        for (const TopicPartition& tp : sub.owned_partitions) holder[tp] = id;
      }
      size_t assigned = 0;
      size_t revoked = 0;
      for (const auto& [id, parts] : a) {
        for (const TopicPartition& tp : parts) {
          auto it = holder.find(tp);
          INFO(tp.ToString() << " assigned to " << id);
          REQUIRE((it == holder.end() || it->second == id));
        }
        assigned += parts.size();
        const auto& owned = members_[id].owned_partitions;
        for (const TopicPartition& tp : owned) {
          if (!std::binary_search(parts.begin(), parts.end(), tp)) ++revoked;
        }
      }
      if (round == 1 && nothing_changed) CHECK(revoked == 0);
      if (round == 1 && equal_) CheckMinimalMoves(a);

      // Members revoke what they lost and take what they got.
      for (auto& [id, sub] : members_) {
        sub.owned_partitions = a[id];
        sub.generation_id = generation_;
      }
      if (assigned == Assignable(counts_, members_).size()) {
        RequireBalanced(members_, a);
        return;
      }
      // With equal subscriptions one follow-up always completes the moves.
      if (equal_) REQUIRE(round == 1);
    }
  }

  // CheckMinimalMoves (all members subscribed to everything): the owned
  // partitions members lose are exactly those they must lose for the counts
  // to differ by at most one, i.e. the members owning the most keep up to
  // the larger share.
  void CheckMinimalMoves(Assignor::GroupAssignment& a) {
    size_t total = Assignable(counts_, members_).size();
    const size_t n = members_.size();
    std::vector<size_t> owned;
    size_t kept = 0;
    for (const auto& [id, sub] : members_) {
      owned.push_back(sub.owned_partitions.size());
      for (const TopicPartition& tp : sub.owned_partitions) {
        if (std::binary_search(a[id].begin(), a[id].end(), tp)) ++kept;
      }
    }
    std::sort(owned.rbegin(), owned.rend());
    size_t best_kept = 0;
    for (size_t i = 0; i < n; ++i) {
      const size_t cap = total / n + (i < total % n ? 1 : 0);
      best_kept += std::min(owned[i], cap);
    }
    CHECK(kept == best_kept);
  }

  std::mt19937 rng_;
  bool equal_;
  Counts counts_;
  Assignor::Subscriptions members_;
  int next_id_ = 0;
  int32_t generation_ = 0;
};

TEST_CASE(
    "Cooperative-sticky stays balanced, sticky and cooperative as "
    "members with equal subscriptions come and go",
    "[client][assignor][sticky]") {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    Group group(seed, /*equal_subscriptions=*/true);
    for (int step = 0; step < 25; ++step) {
      INFO("step " << step);
      group.Step();
    }
  }
}

TEST_CASE(
    "Cooperative-sticky stays valid, balanced and cooperative with "
    "uneven subscriptions",
    "[client][assignor][sticky]") {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    Group group(seed, /*equal_subscriptions=*/false);
    for (int step = 0; step < 25; ++step) {
      INFO("step " << step);
      group.Step();
    }
  }
}

}  // namespace
}  // namespace rill
