// client/router.h — where an in-process client's requests go: metadata to
// any live broker, a partition's data to its leader, a group's membership
// and offsets to its coordinator. Kafka's clients keep the same knowledge
// in their Metadata and coordinator lookup; here it is a cache over a
// BrokerDirectory, refreshed when a broker says the leader or coordinator
// moved.
#ifndef RILL_CLIENT_ROUTER_H_
#define RILL_CLIENT_ROUTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rill/broker/broker.h"
#include "rill/client/broker_directory.h"
#include "rill/error.h"
#include "rill/types.h"

namespace rill::client {

// kRetryBackoff is retry.backoff.ms: how long a consumer's partition or a
// blocking call rests after a retriable error before it is tried again.
inline constexpr absl::Duration kRetryBackoff = absl::Milliseconds(100);
// kDefaultApiTimeout is default.api.timeout.ms: the longest a blocking call
// (a synchronous commit, an offset lookup, an admin request) keeps looking
// for a leader or coordinator that moved.
inline constexpr absl::Duration kDefaultApiTimeout = absl::Seconds(60);

// IsLeaderError: the broker asked does not lead the partition (any more),
// or the metadata it was found with is stale (NOT_LEADER_OR_FOLLOWER,
// LEADER_NOT_AVAILABLE, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH,
// UNKNOWN_TOPIC_OR_PARTITION, KAFKA_STORAGE_ERROR): look the leader up
// again and retry, as Kafka's clients do.
bool IsLeaderError(const absl::Status& status);
// IsCoordinatorError: the group's coordinator moved, is not reachable or
// is still loading the group (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
// COORDINATOR_LOAD_IN_PROGRESS): find it again and retry.
bool IsCoordinatorError(const absl::Status& status);

// PartitionLeader is a partition's leader as metadata last showed it.
struct PartitionLeader {
  NodeId node = NodeId(-1);  // -1: none (an election is under way)
  LeaderEpoch epoch = LeaderEpoch(-1);
};

// LeaderBroker is a partition's leader, open, for one call.
struct LeaderBroker {
  std::shared_ptr<Broker> broker;
  LeaderEpoch epoch = LeaderEpoch(-1);
};

// Router is shared (std::shared_ptr) by one client and the callbacks it
// hands to brokers. Thread-safe; it calls brokers without its lock held,
// and the brokers it returns are for one call only (see BrokerDirectory).
class Router {
 public:
  explicit Router(std::shared_ptr<BrokerDirectory> directory)
      : directory_(std::move(directory)) {}
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  BrokerDirectory& directory() const { return *directory_; }

  // AnyBroker is a live broker, for what any broker answers (topic
  // administration, producer ids); kLeaderNotAvailable when none is.
  absl::StatusOr<std::shared_ptr<Broker>> AnyBroker();

  // DescribeTopic asks every live broker and keeps, per partition, the
  // answer of the newest leader epoch (a broker cut off from the cluster
  // may answer with old metadata; one that just closed, or has not applied
  // the topic's creation yet, may not know the topic); the first error if
  // none describes it. The answer becomes the topic's cached leaders.
  absl::StatusOr<TopicDescription> DescribeTopic(std::string_view topic);
  // Leader is tp's cached leader; the topic is described first when its
  // leaders are not cached. kUnknownTopicOrPartition for a partition the
  // topic does not have.
  absl::StatusOr<PartitionLeader> Leader(const TopicPartition& tp);
  // FindLeader is tp's leader as an open broker; kLeaderNotAvailable
  // (with the topic's leaders forgotten) when it has none or it cannot be
  // reached.
  absl::StatusOr<client::LeaderBroker> FindLeader(const TopicPartition& tp);
  // InvalidateLeaders forgets the topic's leaders: the next lookup
  // describes it again.
  void InvalidateLeaders(std::string_view topic);

  // Coordinator is the open broker coordinating `group_id`, found with
  // FindGroupCoordinator on a live broker and cached until
  // InvalidateCoordinator; kCoordinatorNotAvailable when there is none or
  // it cannot be reached.
  absl::StatusOr<std::shared_ptr<Broker>> Coordinator(
      std::string_view group_id);
  void InvalidateCoordinator(std::string_view group_id);

  // CallLeader runs `call(Broker&, LeaderEpoch)` on tp's leader, and again
  // on the leader found afresh after each leader error, kRetryBackoff
  // apart, until `deadline`; returns the last answer, or at once
  // kUnknownTopicOrPartition when no live broker knows the partition.
  template <typename T, typename Call>
  absl::StatusOr<T> CallLeader(const TopicPartition& tp, absl::Time deadline,
                               Call call);
  // CallCoordinator runs `call(GroupCoordinator&)` on the group's
  // coordinator likewise, again after each coordinator error.
  template <typename T, typename Call>
  absl::StatusOr<T> CallCoordinator(std::string_view group_id,
                                    absl::Time deadline, Call call);

  // Backoff waits kRetryBackoff if that ends before `deadline`, and says
  // whether it did.
  static bool Backoff(absl::Time deadline);

 private:
  void Remember(const TopicDescription& description) ABSL_LOCKS_EXCLUDED(mu_);

  const std::shared_ptr<BrokerDirectory> directory_;

  absl::Mutex mu_;
  // By topic, by partition.
  absl::flat_hash_map<std::string, std::vector<PartitionLeader>> leaders_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, NodeId> coordinators_ ABSL_GUARDED_BY(mu_);
};

template <typename T, typename Call>
absl::StatusOr<T> Router::CallLeader(const TopicPartition& tp,
                                     absl::Time deadline, Call call) {
  while (true) {
    // No live broker knows the partition: it is gone, not moving.
    bool gone = false;
    absl::StatusOr<T> result = [&]() -> absl::StatusOr<T> {
      absl::StatusOr<client::LeaderBroker> leader = FindLeader(tp);
      if (!leader.ok()) {
        gone = HasErrorReason(leader.status(),
                              ErrorReason::kUnknownTopicOrPartition);
        return leader.status();
      }
      return call(*leader->broker, leader->epoch);
    }();
    if (result.ok() || gone || !IsLeaderError(result.status())) return result;
    InvalidateLeaders(tp.topic);
    if (!Backoff(deadline)) return result;
  }
}

template <typename T, typename Call>
absl::StatusOr<T> Router::CallCoordinator(std::string_view group_id,
                                          absl::Time deadline, Call call) {
  while (true) {
    absl::StatusOr<T> result = [&]() -> absl::StatusOr<T> {
      absl::StatusOr<std::shared_ptr<Broker>> coordinator =
          Coordinator(group_id);
      if (!coordinator.ok()) return coordinator.status();
      return call((*coordinator)->group_coordinator());
    }();
    if (result.ok() || !IsCoordinatorError(result.status())) return result;
    InvalidateCoordinator(group_id);
    if (!Backoff(deadline)) return result;
  }
}

}  // namespace rill::client

#endif  // RILL_CLIENT_ROUTER_H_
