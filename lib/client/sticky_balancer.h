// client/sticky_balancer.h — the balancing core of the sticky assignors:
// start from the partitions members keep, place the rest, then move single
// partitions from fuller to emptier members until no member could take a
// partition from one holding two or more partitions more than it.
//
// Members and topics are dense indices; lower member indices win ties, so
// callers put members in Kafka's member order.
#ifndef RILL_CLIENT_STICKY_BALANCER_H_
#define RILL_CLIENT_STICKY_BALANCER_H_

#include <cstdint>
#include <vector>

namespace rill::client {

// StickyBalanceInput describes one balancing problem.
struct StickyBalanceInput {
  // Members are 0 .. num_members-1. Default: 0.
  int32_t num_members = 0;
  // Per topic, the members subscribed to it, ascending; never empty for a
  // topic that has partitions. Default: no topics.
  std::vector<std::vector<int32_t>> topic_members = {};
  // Per partition, its topic. Partitions should be numbered in (topic,
  // partition) order: ties in placement go to lower partition numbers.
  // Default: no partitions.
  std::vector<int32_t> partition_topic = {};
  // Per partition, the member that keeps it to begin with (it must be
  // subscribed to the partition's topic), or -1. Default: none.
  std::vector<int32_t> initial_owner = {};
};

// BalanceSticky returns the owner of every partition. The result is
// balanced in Kafka's sense: no member subscribed to a partition's topic
// holds two or more partitions fewer than the partition's owner; in
// particular members with equal subscriptions differ by at most one
// partition. A partition keeps its initial owner unless moving it is part of
// reaching that balance, and moves prefer partitions that were not kept.
std::vector<int32_t> BalanceSticky(const StickyBalanceInput& input);

}  // namespace rill::client

#endif  // RILL_CLIENT_STICKY_BALANCER_H_
