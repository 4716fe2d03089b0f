// InProcessReplicaTransport: ReplicaTransport over direct Broker calls.
#include "rill/broker/in_process_replica_transport.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace rill {
namespace {

absl::Status Unreachable(NodeId from, NodeId to) {
  return absl::UnavailableError(absl::StrCat(
      "broker ", to.value(), " is not reachable from broker ", from.value()));
}

// ToReplicaResponse hands over where each partition's bytes lie; the
// follower copies them file to file on its own thread (the one copy its
// log needs, and on POSIX files not through user memory).
replication::ReplicaFetchResponse ToReplicaResponse(FetchResult result) {
  replication::ReplicaFetchResponse response;
  response.partitions.reserve(result.partitions.size());
  for (FetchPartitionResult& p : result.partitions) {
    response.partitions.push_back({.tp = std::move(p.tp),
                                   .status = std::move(p.status),
                                   .high_watermark = p.high_watermark,
                                   .log_start_offset = p.log_start_offset,
                                   .log_end_offset = p.records.log_end_offset,
                                   .records = {},
                                   .stored = std::move(p.records)});
  }
  return response;
}

class InProcessReplicaTransport final : public replication::ReplicaTransport {
 public:
  explicit InProcessReplicaTransport(BrokerFinder find)
      : find_(std::move(find)) {}

  void Fetch(NodeId from, NodeId leader,
             replication::ReplicaFetchRequest request,
             FetchCallback done) override {
    std::shared_ptr<Broker> broker = find_(from, leader);
    if (broker == nullptr) {
      done(Unreachable(from, leader));
      return;
    }
    FetchRequest fetch{.replica_id = request.replica_id,
                       .partitions = {},
                       .min_bytes = request.min_bytes,
                       .max_wait_ms = request.max_wait_ms,
                       .max_bytes = request.max_bytes,
                       .isolation = IsolationLevel::kReadUncommitted};
    for (const replication::ReplicaFetchPartition& p : request.partitions) {
      fetch.partitions.push_back(
          {.tp = p.tp,
           .fetch_offset = p.fetch_offset,
           .max_bytes = p.max_bytes,
           .current_leader_epoch = p.current_leader_epoch});
    }
    // The broker stays alive until its answer is given.
    broker->Fetch(std::move(fetch),
                  [broker, done = std::move(done)](FetchResult result) mutable {
                    done(ToReplicaResponse(std::move(result)));
                  });
  }

  void OffsetsForLeaderEpoch(
      NodeId from, NodeId leader,
      std::vector<replication::EpochEndOffsetQuery> queries,
      EpochCallback done) override {
    std::shared_ptr<Broker> broker = find_(from, leader);
    if (broker == nullptr) {
      done(Unreachable(from, leader));
      return;
    }
    std::vector<replication::EpochEndOffsetAnswer> answers;
    for (const replication::EpochEndOffsetQuery& q : queries) {
      absl::StatusOr<EpochEndOffset> found = broker->OffsetForLeaderEpoch(
          q.tp, q.current_leader_epoch, q.leader_epoch);
      replication::EpochEndOffsetAnswer answer{.tp = q.tp};
      if (found.ok()) {
        answer.leader_epoch = found->epoch;
        answer.end_offset = found->end_offset;
      } else {
        answer.status = found.status();
      }
      answers.push_back(std::move(answer));
    }
    done(std::move(answers));
  }

 private:
  const BrokerFinder find_;
};

}  // namespace

std::shared_ptr<replication::ReplicaTransport> NewInProcessReplicaTransport(
    BrokerFinder find) {
  return std::make_shared<InProcessReplicaTransport>(std::move(find));
}

}  // namespace rill
