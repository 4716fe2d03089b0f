// OffsetFetch: a group's committed offsets. A partition without a commit
// reads as offset -1 with no error. v0-1 have no top-level error, so a
// group-level error (coordinator loading, invalid group id) goes into every
// requested partition; from v2 it is the top-level error with no topics,
// and a null topic list asks for every committed partition. v0 reads
// Kafka-stored offsets, like v1 (rill has no ZooKeeper storage).
// require_stable (v7) guards against pending transactional commits, which
// rill does not have, so every committed offset is stable.
#include <optional>
#include <vector>

#include "protocol/messages/offset_fetch.h"
#include "rill/group/group_coordinator.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::OffsetFetchRequest;
using protocol::OffsetFetchResponse;

OffsetFetchResponse::Partition ToWire(const CommittedOffset& offset) {
  return {.partition_index = offset.tp.partition.value(),
          .committed_offset = offset.offset.value(),
          .committed_leader_epoch = offset.leader_epoch.value(),
          .metadata = offset.metadata,
          .error_code = kErrorNone};
}

class OffsetFetchHandler final
    : public TypedHandler<OffsetFetchRequest, OffsetFetchResponse> {
 public:
  OffsetFetchHandler() : TypedHandler(protocol::V("0-7")) {}

  void Handle(const RequestContext& context, OffsetFetchRequest& request,
              Reply<OffsetFetchResponse> reply) override {
    std::optional<std::vector<TopicPartition>> partitions;
    if (request.topics.has_value()) {
      partitions.emplace();
      for (const OffsetFetchRequest::Topic& topic : *request.topics) {
        for (int32_t p : topic.partition_indexes) {
          partitions->push_back({topic.name, PartitionId(p)});
        }
      }
    }
    absl::StatusOr<std::vector<CommittedOffset>> fetched =
        context.server.broker->group_coordinator().FetchOffsets(
            request.group_id, partitions);
    OffsetFetchResponse response;
    if (!fetched.ok()) {
      const int16_t error = KafkaErrorCode(fetched.status());
      if (reply.version() >= 2) {
        response.error_code = error;
      } else if (request.topics.has_value()) {
        for (const OffsetFetchRequest::Topic& topic : *request.topics) {
          if (topic.partition_indexes.empty()) continue;
          OffsetFetchResponse::Topic& out = response.topics.emplace_back();
          out.name = topic.name;
          for (int32_t p : topic.partition_indexes) {
            out.partitions.push_back({.partition_index = p,
                                      .committed_offset = -1,
                                      .committed_leader_epoch = -1,
                                      .metadata = "",
                                      .error_code = error});
          }
        }
      }
      std::move(reply)(response);
      return;
    }
    if (!request.topics.has_value()) {
      // Every committed partition, sorted: one entry per topic.
      for (const CommittedOffset& offset : *fetched) {
        if (response.topics.empty() ||
            response.topics.back().name != offset.tp.topic) {
          response.topics.emplace_back().name = offset.tp.topic;
        }
        response.topics.back().partitions.push_back(ToWire(offset));
      }
    } else {
      // One answer per requested partition, in request order.
      size_t next = 0;
      for (const OffsetFetchRequest::Topic& topic : *request.topics) {
        if (topic.partition_indexes.empty()) continue;
        OffsetFetchResponse::Topic& out = response.topics.emplace_back();
        out.name = topic.name;
        for (size_t i = 0;
             i < topic.partition_indexes.size() && next < fetched->size();
             ++i) {
          out.partitions.push_back(ToWire((*fetched)[next++]));
        }
      }
    }
    std::move(reply)(response);
  }

  // The top-level code (v2+) and every partition asked for, as librdkafka's
  // mock cluster answers; a request for every partition lists none.
  std::optional<OffsetFetchResponse> ErrorResponse(
      const RequestContext&, const OffsetFetchRequest& request,
      int16_t error_code) const override {
    OffsetFetchResponse response;
    response.error_code = error_code;
    if (!request.topics.has_value()) return response;
    for (const OffsetFetchRequest::Topic& topic : *request.topics) {
      OffsetFetchResponse::Topic& t = response.topics.emplace_back();
      t.name = topic.name;
      for (int32_t index : topic.partition_indexes) {
        OffsetFetchResponse::Partition& p = t.partitions.emplace_back();
        p.partition_index = index;
        p.committed_offset = -1;
        p.error_code = error_code;
      }
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewOffsetFetchHandler() {
  return std::make_unique<OffsetFetchHandler>();
}

}  // namespace rill::server
