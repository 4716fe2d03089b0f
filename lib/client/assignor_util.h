// client/assignor_util.h — what every assignor does before and after its own
// algorithm: check the input, order the members as Kafka does, and shape the
// result.
#ifndef RILL_CLIENT_ASSIGNOR_UTIL_H_
#define RILL_CLIENT_ASSIGNOR_UTIL_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "rill/client/assignor.h"

namespace rill::client {

// ValidatePartitionCounts rejects negative partition counts
// (kInvalidArgument); zero means "skip the topic".
absl::Status ValidatePartitionCounts(
    const Assignor::PartitionCounts& partitions_per_topic);

// SortedMemberIds orders members as Kafka's AbstractPartitionAssignor.
// MemberInfo does: static members (with a group.instance.id) first, by
// instance id, then dynamic members by member id. Ties between equal
// instance ids fall back to member id so the order is total. Ids compare
// bytewise; Java compares UTF-16 units, which orders the same for ASCII ids
// (all that Kafka clients generate) and for all but supplementary
// characters.
std::vector<std::string> SortedMemberIds(
    const Assignor::Subscriptions& subscriptions);

// AssignableTopics maps each topic that at least one member subscribes to
// and that has partitions to its partition count, in topic order.
std::map<std::string, int32_t> AssignableTopics(
    const Assignor::PartitionCounts& partitions_per_topic,
    const Assignor::Subscriptions& subscriptions);

// TopicSetsOf is each member's subscription as a set, in `members` order.
std::vector<std::set<std::string>> TopicSetsOf(
    const std::vector<std::string>& members,
    const Assignor::Subscriptions& subscriptions);

// EmptyAssignment has an empty entry for every member.
Assignor::GroupAssignment EmptyAssignment(
    const Assignor::Subscriptions& subscriptions);

// SortPartitions sorts every member's partitions by (topic, partition).
void SortPartitions(Assignor::GroupAssignment* assignment);

}  // namespace rill::client

#endif  // RILL_CLIENT_ASSIGNOR_UTIL_H_
