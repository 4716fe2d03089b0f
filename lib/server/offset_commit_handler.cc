// OffsetCommit: stores a group's consumed offsets, answered once they are
// in __consumer_offsets. Partitions the broker does not have get
// UNKNOWN_TOPIC_OR_PARTITION without reaching the coordinator, as Kafka
// answers them from its metadata. v0 (ZooKeeper storage in Kafka) is
// served as v1 from outside the group protocol (generation -1, no member);
// v1's per-partition commit timestamp and v2-4's retention time are passed
// on, so they decide when those offsets expire.
#include <memory>
#include <vector>

#include "protocol/messages/offset_commit.h"
#include "rill/group/group_coordinator.h"
#include "server/error_codes.h"
#include "server/handlers.h"
#include "server/known_partitions.h"

namespace rill::server {
namespace {

using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;

// Where one coordinator entry's answer goes in the response.
struct Slot {
  size_t topic;
  size_t partition;
};

class OffsetCommitHandler final
    : public TypedHandler<OffsetCommitRequest, OffsetCommitResponse> {
 public:
  OffsetCommitHandler() : TypedHandler(protocol::V("0-7")) {}

  void Handle(const RequestContext& context, OffsetCommitRequest& request,
              Reply<OffsetCommitResponse> reply) override {
    KnownPartitions known(*context.server.broker);
    OffsetCommitResponse response;
    rill::OffsetCommitRequest commit;
    commit.group_id = std::move(request.group_id);
    // Absent before v1 (decoded as -1 and ""), absent before v7 (nullopt).
    commit.generation_id = request.generation_id;
    commit.member_id = std::move(request.member_id);
    commit.group_instance_id = std::move(request.group_instance_id);
    commit.retention_time_ms = request.retention_time_ms;
    std::vector<Slot> slots;
    for (size_t i = 0; i < request.topics.size(); ++i) {
      OffsetCommitRequest::Topic& topic = request.topics[i];
      OffsetCommitResponse::Topic& out = response.topics.emplace_back();
      out.name = topic.name;
      for (size_t j = 0; j < topic.partitions.size(); ++j) {
        OffsetCommitRequest::Partition& p = topic.partitions[j];
        out.partitions.push_back(
            {.partition_index = p.partition_index, .error_code = kErrorNone});
        if (!known.Contains(topic.name, p.partition_index)) {
          out.partitions.back().error_code = kErrorUnknownTopicOrPartition;
          continue;
        }
        commit.offsets.push_back(
            {.tp = {topic.name, PartitionId(p.partition_index)},
             .offset = Offset(p.committed_offset),
             .leader_epoch = LeaderEpoch(p.committed_leader_epoch),
             .metadata = std::move(p.committed_metadata).value_or(""),
             .commit_timestamp_ms = p.commit_timestamp});
        slots.push_back({i, j});
      }
    }
    if (commit.offsets.empty()) {
      std::move(reply)(response);
      return;
    }
    context.server.broker->group_coordinator().CommitOffsets(
        std::move(commit),
        [reply = std::move(reply), response = std::move(response),
         slots = std::move(slots)](rill::OffsetCommitResponse done) mutable {
          for (size_t k = 0;
               k < slots.size() && k < done.partition_statuses.size(); ++k) {
            response.topics[slots[k].topic]
                .partitions[slots[k].partition]
                .error_code = KafkaErrorCode(done.partition_statuses[k]);
          }
          std::move(reply)(response);
        });
  }

  std::optional<OffsetCommitResponse> ErrorResponse(
      const RequestContext&, const OffsetCommitRequest& request,
      int16_t error_code) const override {
    OffsetCommitResponse response;
    for (const OffsetCommitRequest::Topic& topic : request.topics) {
      OffsetCommitResponse::Topic& t = response.topics.emplace_back();
      t.name = topic.name;
      for (const OffsetCommitRequest::Partition& p : topic.partitions) {
        t.partitions.push_back(
            {.partition_index = p.partition_index, .error_code = error_code});
      }
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewOffsetCommitHandler() {
  return std::make_unique<OffsetCommitHandler>();
}

}  // namespace rill::server
