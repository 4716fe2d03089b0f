#include "client/assignor_util.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"

namespace rill::client {

absl::Status ValidatePartitionCounts(
    const Assignor::PartitionCounts& partitions_per_topic) {
  for (const auto& [topic, count] : partitions_per_topic) {
    if (count < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic ", topic, " has ", count, " partitions"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> SortedMemberIds(
    const Assignor::Subscriptions& subscriptions) {
  struct Member {
    const std::string* id;
    const std::optional<std::string>* instance_id;
  };
  std::vector<Member> members;
  members.reserve(subscriptions.size());
  for (const auto& [id, subscription] : subscriptions) {
    members.push_back({&id, &subscription.group_instance_id});
  }
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) {
              const bool a_static = a.instance_id->has_value();
              const bool b_static = b.instance_id->has_value();
              if (a_static != b_static) return a_static;  // static first
              if (a_static && **a.instance_id != **b.instance_id) {
                return **a.instance_id < **b.instance_id;
              }
              return *a.id < *b.id;
            });
  std::vector<std::string> ids;
  ids.reserve(members.size());
  for (const Member& m : members) ids.push_back(*m.id);
  return ids;
}

std::map<std::string, int32_t> AssignableTopics(
    const Assignor::PartitionCounts& partitions_per_topic,
    const Assignor::Subscriptions& subscriptions) {
  std::map<std::string, int32_t> topics;
  for (const auto& [member, subscription] : subscriptions) {
    for (const std::string& topic : subscription.topics) {
      auto it = partitions_per_topic.find(topic);
      if (it != partitions_per_topic.end() && it->second > 0) {
        topics.emplace(topic, it->second);
      }
    }
  }
  return topics;
}

std::vector<std::set<std::string>> TopicSetsOf(
    const std::vector<std::string>& members,
    const Assignor::Subscriptions& subscriptions) {
  std::vector<std::set<std::string>> sets;
  sets.reserve(members.size());
  for (const std::string& id : members) {
    const std::vector<std::string>& topics = subscriptions.at(id).topics;
    sets.emplace_back(topics.begin(), topics.end());
  }
  return sets;
}

Assignor::GroupAssignment EmptyAssignment(
    const Assignor::Subscriptions& subscriptions) {
  Assignor::GroupAssignment assignment;
  for (const auto& [member, subscription] : subscriptions) {
    assignment.emplace(member, std::vector<TopicPartition>{});
  }
  return assignment;
}

void SortPartitions(Assignor::GroupAssignment* assignment) {
  for (auto& [member, partitions] : *assignment) {
    std::sort(partitions.begin(), partitions.end());
  }
}

}  // namespace rill::client
