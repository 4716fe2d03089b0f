#include "server/replica_wire.h"

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "rill/error.h"
#include "server/error_codes.h"

namespace rill::server {
namespace {

using replication::EpochEndOffsetAnswer;
using replication::EpochEndOffsetQuery;
using replication::ReplicaFetchedPartition;
using replication::ReplicaFetchRequest;
using replication::ReplicaFetchResponse;

// Grouped collects items into per-topic entries of `Topic`, topics in the
// order they first appear.
template <typename Topic>
class Grouped {
 public:
  Topic& For(const std::string& topic) {
    auto [it, added] = index_.try_emplace(topic, topics_.size());
    if (added) topics_.emplace_back().topic = topic;
    return topics_[it->second];
  }
  std::vector<Topic> Take() && { return std::move(topics_); }

 private:
  absl::flat_hash_map<std::string, size_t> index_;
  std::vector<Topic> topics_;
};

std::string About(NodeId leader, const TopicPartition& tp) {
  return absl::StrCat("from broker ", leader.value(), " for ", tp.ToString());
}

absl::Status Missing(NodeId leader, const TopicPartition& tp) {
  return MakeError(ErrorReason::kUnknownServerError,
                   absl::StrCat("no answer ", About(leader, tp)));
}

}  // namespace

protocol::FetchRequest ToFetchRequest(const ReplicaFetchRequest& request) {
  protocol::FetchRequest out;
  out.replica_id = request.replica_id.value();
  out.max_wait_ms = static_cast<int32_t>(request.max_wait_ms);
  out.min_bytes = request.min_bytes;
  out.max_bytes = request.max_bytes;
  out.isolation_level = 0;
  // Sessionless: session 0 with the final epoch, a full fetch every time.
  out.session_id = 0;
  out.session_epoch = -1;
  Grouped<protocol::FetchRequest::FetchTopic> topics;
  for (const replication::ReplicaFetchPartition& p : request.partitions) {
    topics.For(p.tp.topic)
        .partitions.push_back(
            {.partition = p.tp.partition.value(),
             .current_leader_epoch = p.current_leader_epoch.value(),
             .fetch_offset = p.fetch_offset.value(),
             .log_start_offset = -1,
             .partition_max_bytes = p.max_bytes});
  }
  out.topics = std::move(topics).Take();
  return out;
}

ReplicaFetchResponse FromFetchResponse(const ReplicaFetchRequest& request,
                                       const protocol::FetchResponse& response,
                                       NodeId leader) {
  absl::flat_hash_map<TopicPartition,
                      const protocol::FetchResponse::PartitionData*>
      answers;
  for (const protocol::FetchResponse::FetchableTopic& topic :
       response.responses) {
    for (const protocol::FetchResponse::PartitionData& p : topic.partitions) {
      answers.try_emplace(
          TopicPartition{topic.topic, PartitionId(p.partition_index)}, &p);
    }
  }
  ReplicaFetchResponse out;
  out.partitions.reserve(request.partitions.size());
  for (const replication::ReplicaFetchPartition& asked : request.partitions) {
    ReplicaFetchedPartition& result = out.partitions.emplace_back();
    result.tp = asked.tp;
    auto it = answers.find(asked.tp);
    if (it == answers.end()) {
      result.status =
          response.error_code != kErrorNone
              ? KafkaErrorStatus(response.error_code, About(leader, asked.tp))
              : Missing(leader, asked.tp);
      continue;
    }
    const protocol::FetchResponse::PartitionData& p = *it->second;
    const int16_t code =
        p.error_code != kErrorNone ? p.error_code : response.error_code;
    result.status = KafkaErrorStatus(code, About(leader, asked.tp));
    result.high_watermark = Offset(p.high_watermark);
    result.log_start_offset = Offset(p.log_start_offset);
    result.log_end_offset = Offset(-1);
    if (result.status.ok()) {
      result.records.assign(p.records.view.data(), p.records.view.size());
    }
  }
  return out;
}

protocol::OffsetForLeaderEpochRequest ToEpochsRequest(
    NodeId replica_id, const std::vector<EpochEndOffsetQuery>& queries) {
  protocol::OffsetForLeaderEpochRequest out;
  out.replica_id = replica_id.value();
  Grouped<protocol::OffsetForLeaderEpochRequest::Topic> topics;
  for (const EpochEndOffsetQuery& q : queries) {
    topics.For(q.tp.topic)
        .partitions.push_back(
            {.partition = q.tp.partition.value(),
             .current_leader_epoch = q.current_leader_epoch.value(),
             .leader_epoch = q.leader_epoch.value()});
  }
  out.topics = std::move(topics).Take();
  return out;
}

std::vector<EpochEndOffsetAnswer> FromEpochsResponse(
    const std::vector<EpochEndOffsetQuery>& queries,
    const protocol::OffsetForLeaderEpochResponse& response, NodeId leader) {
  absl::flat_hash_map<TopicPartition,
                      const protocol::OffsetForLeaderEpochResponse::Partition*>
      answers;
  for (const protocol::OffsetForLeaderEpochResponse::Topic& topic :
       response.topics) {
    for (const protocol::OffsetForLeaderEpochResponse::Partition& p :
         topic.partitions) {
      answers.try_emplace(TopicPartition{topic.topic, PartitionId(p.partition)},
                          &p);
    }
  }
  std::vector<EpochEndOffsetAnswer> out;
  out.reserve(queries.size());
  for (const EpochEndOffsetQuery& q : queries) {
    EpochEndOffsetAnswer& answer = out.emplace_back();
    answer.tp = q.tp;
    auto it = answers.find(q.tp);
    if (it == answers.end()) {
      answer.status = Missing(leader, q.tp);
      continue;
    }
    answer.status =
        KafkaErrorStatus(it->second->error_code, About(leader, q.tp));
    if (answer.status.ok()) {
      answer.leader_epoch = LeaderEpoch(it->second->leader_epoch);
      answer.end_offset = Offset(it->second->end_offset);
    }
  }
  return out;
}

}  // namespace rill::server
