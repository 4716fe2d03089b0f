// Kafka's RoundRobinAssignor: every partition of every subscribed topic, in
// (topic, partition) order, goes to the next member in Kafka's member order
// that subscribes to its topic. With identical subscriptions the counts
// differ by at most one; with different ones they can be uneven (Kafka's
// example: C0 on t0, C1 on t0 and t1, C2 on t0, t1 and t2, with 1, 2 and 3
// partitions, gives C0 [t0p0], C1 [t1p0], C2 [t1p1, t2p0, t2p1, t2p2]).
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/assignor_util.h"
#include "rill/client/assignor.h"
#include "util/status_macros.h"

namespace rill {
namespace {

// RoundRobinAssignor is stateless; see Assignor for thread-safety.
class RoundRobinAssignor final : public Assignor {
 public:
  std::string_view name() const override { return "roundrobin"; }

  std::vector<RebalanceProtocol> supported_protocols() const override {
    return {RebalanceProtocol::kEager};
  }

  absl::StatusOr<GroupAssignment> Assign(
      const PartitionCounts& partitions_per_topic,
      const Subscriptions& subscriptions) const override {
    RETURN_IF_ERROR(client::ValidatePartitionCounts(partitions_per_topic));
    GroupAssignment assignment = client::EmptyAssignment(subscriptions);
    const std::vector<std::string> members =
        client::SortedMemberIds(subscriptions);
    const std::vector<std::set<std::string>> topics_of =
        client::TopicSetsOf(members, subscriptions);

    size_t next = 0;  // the circular iterator over `members`
    for (const auto& [topic, count] :
         client::AssignableTopics(partitions_per_topic, subscriptions)) {
      for (int32_t p = 0; p < count; ++p) {
        // Terminates: AssignableTopics only lists subscribed topics.
        while (!topics_of[next].contains(topic)) {
          next = (next + 1) % members.size();
        }
        assignment[members[next]].push_back(
            {.topic = topic, .partition = PartitionId(p)});
        next = (next + 1) % members.size();
      }
    }
    client::SortPartitions(&assignment);
    return assignment;
  }
};

}  // namespace

std::unique_ptr<Assignor> NewRoundRobinAssignor() {
  return std::make_unique<RoundRobinAssignor>();
}

}  // namespace rill
