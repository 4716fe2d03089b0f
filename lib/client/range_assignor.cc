// Kafka's RangeAssignor: per topic, the subscribers (in Kafka's member
// order) take contiguous ranges, the first (partitions % subscribers) one
// partition more. With two members C0, C1 and topics t0, t1 of 3 partitions:
// C0 gets t0p0, t0p1, t1p0, t1p1 and C1 gets t0p2, t1p2.
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

// RangeAssignor is stateless; see Assignor for thread-safety.
class RangeAssignor final : public Assignor {
 public:
  std::string_view name() const override { return "range"; }

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

    for (const auto& [topic, count] :
         client::AssignableTopics(partitions_per_topic, subscriptions)) {
      std::vector<const std::string*> consumers;
      for (size_t i = 0; i < members.size(); ++i) {
        if (topics_of[i].contains(topic)) consumers.push_back(&members[i]);
      }
      const int32_t n = static_cast<int32_t>(consumers.size());
      const int32_t per_consumer = count / n;
      const int32_t with_extra = count % n;
      for (int32_t i = 0; i < n; ++i) {
        const int32_t start = per_consumer * i + std::min(i, with_extra);
        const int32_t length = per_consumer + (i < with_extra ? 1 : 0);
        std::vector<TopicPartition>& out = assignment[*consumers[i]];
        for (int32_t p = start; p < start + length; ++p) {
          out.push_back({.topic = topic, .partition = PartitionId(p)});
        }
      }
    }
    client::SortPartitions(&assignment);
    return assignment;
  }
};

}  // namespace

std::unique_ptr<Assignor> NewRangeAssignor() {
  return std::make_unique<RangeAssignor>();
}

}  // namespace rill
