// OffsetDelete: removes some of a group's committed offsets. Partitions the
// broker does not have get UNKNOWN_TOPIC_OR_PARTITION; a live consumer
// group keeps the offsets of topics it subscribes to
// (GROUP_SUBSCRIBED_TO_TOPIC). A group-level error (GROUP_ID_NOT_FOUND,
// NON_EMPTY_GROUP for a live group of another protocol) is the top-level
// error code, with no partitions, as Kafka answers.
#include <vector>

#include "protocol/messages/offset_delete.h"
#include "rill/group/group_coordinator.h"
#include "server/error_codes.h"
#include "server/handlers.h"
#include "server/known_partitions.h"

namespace rill::server {
namespace {

using protocol::OffsetDeleteRequest;
using protocol::OffsetDeleteResponse;

class OffsetDeleteHandler final
    : public TypedHandler<OffsetDeleteRequest, OffsetDeleteResponse> {
 public:
  OffsetDeleteHandler() : TypedHandler(protocol::V("0")) {}

  void Handle(const RequestContext& context, OffsetDeleteRequest& request,
              Reply<OffsetDeleteResponse> reply) override {
    KnownPartitions known(*context.server.broker);
    OffsetDeleteResponse response;
    std::vector<TopicPartition> partitions;
    // Where each entry of `partitions` is answered.
    std::vector<OffsetDeleteResponse::Partition*> slots;
    response.topics.reserve(request.topics.size());
    for (const OffsetDeleteRequest::Topic& topic : request.topics) {
      OffsetDeleteResponse::Topic& out = response.topics.emplace_back();
      out.name = topic.name;
      out.partitions.reserve(topic.partitions.size());
      for (const OffsetDeleteRequest::Partition& p : topic.partitions) {
        OffsetDeleteResponse::Partition& slot = out.partitions.emplace_back();
        slot.partition_index = p.partition_index;
        if (!known.Contains(topic.name, p.partition_index)) {
          slot.error_code = kErrorUnknownTopicOrPartition;
          continue;
        }
        partitions.push_back({topic.name, PartitionId(p.partition_index)});
        slots.push_back(&slot);
      }
    }
    absl::StatusOr<std::vector<absl::Status>> deleted =
        context.server.broker->group_coordinator().DeleteOffsets(
            request.group_id, partitions);
    if (!deleted.ok()) {
      OffsetDeleteResponse error;
      error.error_code = KafkaErrorCode(deleted.status());
      std::move(reply)(error);
      return;
    }
    for (size_t i = 0; i < slots.size() && i < deleted->size(); ++i) {
      slots[i]->error_code = KafkaErrorCode((*deleted)[i]);
    }
    std::move(reply)(response);
  }

  std::optional<OffsetDeleteResponse> ErrorResponse(
      const RequestContext&, const OffsetDeleteRequest& request,
      int16_t error_code) const override {
    OffsetDeleteResponse response;
    response.error_code = error_code;
    for (const OffsetDeleteRequest::Topic& topic : request.topics) {
      OffsetDeleteResponse::Topic& t = response.topics.emplace_back();
      t.name = topic.name;
      for (const OffsetDeleteRequest::Partition& p : topic.partitions) {
        t.partitions.push_back(
            {.partition_index = p.partition_index, .error_code = error_code});
      }
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewOffsetDeleteHandler() {
  return std::make_unique<OffsetDeleteHandler>();
}

}  // namespace rill::server
