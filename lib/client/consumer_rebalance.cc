// ConsumerImpl: the group's share of Poll and the rebalance listener (Kafka's
// ConsumerCoordinator.onJoinPrepare / onJoinComplete / onLeavePrepare).
//
// Eager (range, roundrobin): before joining, every partition is revoked
// (after an auto-commit); after the rebalance the whole new assignment is
// announced. Cooperative (cooperative-sticky, KIP-429): partitions are kept
// and read during the rebalance; afterwards only those the assignment took
// away are revoked (after an auto-commit), and if there were any the member
// rejoins at once so the group can hand them to their new owners.
#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/consumer_impl.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::client {
namespace {

// How often (clock ms) a member compares its subscribed topics' partition
// counts with those it joined with. One DescribeTopic per subscribed topic.
constexpr int64_t kMetadataCheckMs = 1000;

std::vector<TopicPartition> Minus(const std::vector<TopicPartition>& a,
                                  const std::vector<TopicPartition>& b) {
  const std::set<TopicPartition> remove(b.begin(), b.end());
  std::vector<TopicPartition> out;
  for (const TopicPartition& tp : a) {
    if (!remove.count(tp)) out.push_back(tp);
  }
  return out;
}

}  // namespace

absl::Status ConsumerImpl::UpdateGroup() {
  if (assignment_.mode() != ConsumerAssignment::Mode::kSubscribed) {
    return absl::OkStatus();
  }
  if (membership_->TakeLost()) LoseAll();
  if (membership_->ShouldJoin()) {
    if (!join_prepared_) {
      PrepareJoin();
      join_prepared_ = true;
      // The listener may have closed or unsubscribed the consumer.
      if (closed_ ||
          assignment_.mode() != ConsumerAssignment::Mode::kSubscribed) {
        return absl::OkStatus();
      }
    }
    ASSIGN_OR_RETURN(
        std::vector<GroupProtocol> protocols,
        protocol_->Protocols(assignment_.topics(), assignment_.Partitions(),
                             assigned_generation_));
    joined_partition_counts_ = SubscribedPartitionCounts();
    next_metadata_check_ms_ = options_.clock->NowMs() + kMetadataCheckMs;
    membership_->SendJoin(std::move(protocols));
  }
  ASSIGN_OR_RETURN(std::optional<CompletedRebalance> done,
                   membership_->Advance([this](const JoinGroupResponse& join) {
                     return protocol_->Assign(join);
                   }));
  if (done.has_value()) {
    join_prepared_ = false;
    return CompleteRebalance(*done);
  }
  MaybeCheckMetadata();
  return absl::OkStatus();
}

std::map<std::string, int32_t> ConsumerImpl::SubscribedPartitionCounts() const {
  std::map<std::string, int32_t> counts;
  for (const std::string& topic : assignment_.topics()) {
    absl::StatusOr<TopicDescription> description =
        router_->DescribeTopic(topic);
    if (description.ok()) {
      counts[topic] = static_cast<int32_t>(description->partitions.size());
    } else if (HasErrorReason(description.status(),
                              ErrorReason::kUnknownTopicOrPartition)) {
      counts[topic] = 0;
    } else if (auto it = joined_partition_counts_.find(topic);
               it != joined_partition_counts_.end()) {
      // No broker could say (the cluster is restarting): as it was.
      counts[topic] = it->second;
    }
  }
  return counts;
}

void ConsumerImpl::MaybeCheckMetadata() {
  const int64_t now = options_.clock->NowMs();
  if (now < next_metadata_check_ms_) return;
  next_metadata_check_ms_ = now + kMetadataCheckMs;
  if (membership_->state() != GroupMembership::State::kStable) return;
  if (SubscribedPartitionCounts() != joined_partition_counts_) {
    membership_->RequestRejoin();
  }
}

void ConsumerImpl::PrepareJoin() {
  const std::vector<TopicPartition> owned = assignment_.Partitions();
  if (membership_->Current().generation_id < 0) {
    // Not in a generation (first join, or dropped): nothing to revoke;
    // whatever is still held is lost.
    if (!owned.empty()) LoseAll();
    return;
  }
  if (rebalance_protocol_ == RebalanceProtocol::kEager) {
    if (auto_commit() && CommitGeneration().ok()) {
      (void)CommitOffsetsSync(Consumed());  // best effort, as Kafka's
    }
    InvokeRevoked(owned);  // always, as Kafka's eager protocol does
    assignment_.Remove(owned);
    assigned_generation_ = -1;
    return;
  }
  // Cooperative: keep everything, except topics no longer subscribed.
  const std::set<std::string> topics(assignment_.topics().begin(),
                                     assignment_.topics().end());
  std::vector<TopicPartition> dropped;
  for (const TopicPartition& tp : owned) {
    if (!topics.count(tp.topic)) dropped.push_back(tp);
  }
  if (dropped.empty()) return;
  if (auto_commit() && CommitGeneration().ok()) {
    (void)CommitOffsetsSync(Consumed(&dropped));
  }
  InvokeRevoked(dropped);
  assignment_.Remove(dropped);
}

absl::Status ConsumerImpl::CompleteRebalance(const CompletedRebalance& done) {
  absl::StatusOr<std::vector<TopicPartition>> decoded =
      ConsumerGroupProtocol::DecodeAssignment(done.assignment);
  if (!decoded.ok()) {
    membership_->RequestRejoin();
    return util::Annotate(decoded.status(),
                          "the assignment from the group leader");
  }
  std::vector<TopicPartition> assigned = *std::move(decoded);
  std::sort(assigned.begin(), assigned.end());
  assigned.erase(std::unique(assigned.begin(), assigned.end()), assigned.end());
  rebalance_protocol_ = protocol_->RebalanceProtocolOf(done.protocol_name);
  assigned_generation_ = done.generation_id;

  const std::vector<TopicPartition> owned = assignment_.Partitions();
  const std::vector<TopicPartition> revoked = Minus(owned, assigned);
  const std::vector<TopicPartition> added = Minus(assigned, owned);
  if (!revoked.empty()) {
    // Commit what was consumed while the listener can still see them.
    if (auto_commit()) (void)CommitOffsetsSync(Consumed(&revoked));
    InvokeRevoked(revoked);
    if (closed_ ||
        assignment_.mode() != ConsumerAssignment::Mode::kSubscribed) {
      return absl::OkStatus();
    }
    assignment_.Remove(revoked);
    // Cooperative: the partitions given up can now go to their new owners
    // in a follow-up rebalance.
    if (rebalance_protocol_ == RebalanceProtocol::kCooperative) {
      membership_->RequestRejoin();
    }
  }
  assignment_.Assign(assigned, PositionSource::kCommitted);
  // Positions of new partitions are looked up now, so the listener sees
  // them (failures are retried by Poll).
  for (const TopicPartition& tp : added) {
    if (PartitionState* state = assignment_.Find(tp)) {
      (void)ResolvePosition(*state, /*report_errors=*/false);
    }
  }
  // Eager announces the whole assignment; cooperative only what is new
  // (possibly nothing: Kafka calls it after every rebalance).
  InvokeAssigned(rebalance_protocol_ == RebalanceProtocol::kEager ? assigned
                                                                  : added);
  return absl::OkStatus();
}

void ConsumerImpl::LoseAll() {
  const std::vector<TopicPartition> owned = assignment_.Partitions();
  assigned_generation_ = -1;
  if (owned.empty()) return;
  InvokeLost(owned);
  assignment_.Remove(owned);
}

void ConsumerImpl::RevokeForLeave() {
  const std::vector<TopicPartition> owned = assignment_.Partitions();
  if (owned.empty()) return;
  if (membership_->Stable().has_value()) {
    InvokeRevoked(owned);
  } else {
    InvokeLost(owned);
  }
  assignment_.Remove(owned);
}

void ConsumerImpl::InvokeRevoked(
    const std::vector<TopicPartition>& partitions) {
  // A copy: the listener may replace itself (Subscribe) while running.
  if (std::shared_ptr<RebalanceListener> listener = listener_) {
    listener->OnPartitionsRevoked(partitions);
  }
}

void ConsumerImpl::InvokeAssigned(
    const std::vector<TopicPartition>& partitions) {
  if (std::shared_ptr<RebalanceListener> listener = listener_) {
    listener->OnPartitionsAssigned(partitions);
  }
}

void ConsumerImpl::InvokeLost(const std::vector<TopicPartition>& partitions) {
  if (std::shared_ptr<RebalanceListener> listener = listener_) {
    listener->OnPartitionsLost(partitions);
  }
}

}  // namespace rill::client
