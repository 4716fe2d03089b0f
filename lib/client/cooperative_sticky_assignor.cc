// The "cooperative-sticky" assignor (Kafka's CooperativeStickyAssignor,
// KIP-429), with a simpler algorithm than Kafka's that keeps the properties
// members rely on:
//
//  1. Ownership. Each member's owned_partitions are claims, made in its
//     generation: generation_id, or, when that is -1 (subscription versions
//     0-1), the int32 this assignor put in its user_data (Kafka's
//     CooperativeStickyAssignor user data), else -1. For each partition the
//     claims from the highest generation win; the claimants at that
//     generation are its previous owners (normally one; several only when
//     members disagree, e.g. after a missed rebalance).
//  2. Stickiness. A partition with a single previous owner that still
//     subscribes to its topic starts with that owner.
//  3. Balance (client/sticky_balancer.h). The other partitions go, most
//     constrained first, to their least loaded subscriber; then single
//     partitions move from the fullest member to the emptiest subscriber
//     holding at least two fewer, until no such pair is left. Members with
//     equal subscriptions end up differing by at most one partition, and a
//     kept partition moves only when balance needs it.
//  4. Cooperation. A partition that ends with a member other than its
//     previous owner(s) is left out of this round's assignment: its old
//     owner does not find it in its own assignment and revokes it, then
//     rejoins (as KIP-429 has members do after revoking), and in that
//     follow-up rebalance the partition has no owner and is assigned. So no
//     partition is ever assigned to a member while another still holds it.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/assignor_util.h"
#include "client/sticky_balancer.h"
#include "rill/client/assignor.h"
#include "util/endian.h"
#include "util/status_macros.h"

namespace rill {
namespace {

constexpr int32_t kNoGeneration = -1;

// Generation is the generation a member's owned partitions are from.
int32_t Generation(const Assignor::Subscription& subscription) {
  if (subscription.generation_id >= 0) return subscription.generation_id;
  // Kafka reads the user data as a one-int32 struct and treats anything
  // unreadable as the default generation.
  if (subscription.user_data.has_value() &&
      subscription.user_data->size() >= sizeof(int32_t)) {
    return util::LoadBigEndian<int32_t>(subscription.user_data->data());
  }
  return kNoGeneration;
}

// Claims is, per partition number, its previous owners (member indices) and
// their generation.
struct Claims {
  std::vector<std::vector<int32_t>> owners;
  std::vector<int32_t> generation;
};

// CooperativeStickyAssignor is stateless: the generation a member reports
// comes from the consumer through SubscriptionUserData's argument. See
// Assignor for thread-safety.
class CooperativeStickyAssignor final : public Assignor {
 public:
  std::string_view name() const override { return "cooperative-sticky"; }

  std::vector<RebalanceProtocol> supported_protocols() const override {
    return {RebalanceProtocol::kCooperative, RebalanceProtocol::kEager};
  }

  // The generation as a big-endian int32, as Kafka's assignor writes it, for
  // leaders reading subscriptions of versions without generation_id.
  std::optional<std::string> SubscriptionUserData(
      std::span<const std::string> /*topics*/,
      int32_t generation_id) const override {
    std::string out;
    util::AppendBigEndian<int32_t>(&out, generation_id);
    return out;
  }

  absl::StatusOr<GroupAssignment> Assign(
      const PartitionCounts& partitions_per_topic,
      const Subscriptions& subscriptions) const override {
    RETURN_IF_ERROR(client::ValidatePartitionCounts(partitions_per_topic));
    GroupAssignment assignment = client::EmptyAssignment(subscriptions);
    const std::vector<std::string> members =
        client::SortedMemberIds(subscriptions);
    const std::map<std::string, int32_t> topics =
        client::AssignableTopics(partitions_per_topic, subscriptions);

    // Dense numbering: topics in name order, partitions in (topic,
    // partition) order starting at first_partition[topic].
    std::map<std::string_view, int32_t> topic_index;
    std::vector<std::string_view> topic_names;
    std::vector<int32_t> first_partition;
    client::StickyBalanceInput input{.num_members =
                                         static_cast<int32_t>(members.size())};
    for (const auto& [topic, count] : topics) {
      const auto t = static_cast<int32_t>(topic_names.size());
      topic_index.emplace(topic, t);
      topic_names.push_back(topic);
      first_partition.push_back(
          static_cast<int32_t>(input.partition_topic.size()));
      input.partition_topic.insert(input.partition_topic.end(), count, t);
    }
    input.topic_members.resize(topic_names.size());
    std::vector<std::set<int32_t>> member_topics(members.size());
    for (size_t m = 0; m < members.size(); ++m) {
      for (const std::string& topic : subscriptions.at(members[m]).topics) {
        auto it = topic_index.find(topic);
        if (it != topic_index.end()) member_topics[m].insert(it->second);
      }
      for (int32_t t : member_topics[m]) {
        input.topic_members[t].push_back(static_cast<int32_t>(m));
      }
    }
    const size_t num_partitions = input.partition_topic.size();
    if (num_partitions == 0) return assignment;

    // 1. Ownership.
    Claims claims{
        .owners = std::vector<std::vector<int32_t>>(num_partitions),
        .generation = std::vector<int32_t>(num_partitions, kNoGeneration)};
    for (size_t m = 0; m < members.size(); ++m) {
      const Subscription& subscription = subscriptions.at(members[m]);
      const int32_t generation = Generation(subscription);
      for (const TopicPartition& tp : subscription.owned_partitions) {
        auto it = topic_index.find(tp.topic);
        if (it == topic_index.end()) continue;  // nobody can take it now
        const int32_t p = tp.partition.value();
        if (p < 0 || p >= topics.at(tp.topic)) continue;
        const size_t index = first_partition[it->second] + p;
        std::vector<int32_t>& owners = claims.owners[index];
        if (owners.empty() || generation > claims.generation[index]) {
          owners = {static_cast<int32_t>(m)};
          claims.generation[index] = generation;
        } else if (generation == claims.generation[index] &&
                   owners.back() != static_cast<int32_t>(m)) {
          // A tie with another member (the back() check skips m listing
          // the partition twice: m's claims are all made in this loop).
          owners.push_back(static_cast<int32_t>(m));
        }
      }
    }

    // 2. Stickiness.
    input.initial_owner.assign(num_partitions, -1);
    for (size_t p = 0; p < num_partitions; ++p) {
      const std::vector<int32_t>& owners = claims.owners[p];
      if (owners.size() == 1 &&
          member_topics[owners[0]].contains(input.partition_topic[p])) {
        input.initial_owner[p] = owners[0];
      }
    }

    // 3. Balance.
    const std::vector<int32_t> owner = client::BalanceSticky(input);

    // 4. Cooperation.
    for (size_t p = 0; p < num_partitions; ++p) {
      const std::vector<int32_t>& previous = claims.owners[p];
      if (!previous.empty() && std::find(previous.begin(), previous.end(),
                                         owner[p]) == previous.end()) {
        continue;  // revoked this round, assigned in the next
      }
      const int32_t t = input.partition_topic[p];
      assignment[members[owner[p]]].push_back(
          {.topic = std::string(topic_names[t]),
           .partition =
               PartitionId(static_cast<int32_t>(p) - first_partition[t])});
    }
    client::SortPartitions(&assignment);
    return assignment;
  }
};

}  // namespace

std::unique_ptr<Assignor> NewCooperativeStickyAssignor() {
  return std::make_unique<CooperativeStickyAssignor>();
}

}  // namespace rill
