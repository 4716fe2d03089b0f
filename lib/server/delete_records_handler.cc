// DeleteRecords: move each partition's log start offset through
// Broker::DeleteRecords (offset -1: the high watermark) and answer the new
// low watermark, or -1 with the partition's error (OFFSET_OUT_OF_RANGE
// beyond the high watermark, UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC for
// internal topics). A single broker has no followers to wait for, so the
// answer is immediate.
#include "protocol/messages/delete_records.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::DeleteRecordsRequest;
using protocol::DeleteRecordsResponse;

class DeleteRecordsHandler final
    : public TypedHandler<DeleteRecordsRequest, DeleteRecordsResponse> {
 public:
  DeleteRecordsHandler() : TypedHandler(protocol::V("0-1")) {}

  void Handle(const RequestContext& context, DeleteRecordsRequest& request,
              Reply<DeleteRecordsResponse> reply) override {
    DeleteRecordsResponse response;
    for (const DeleteRecordsRequest::Topic& topic : request.topics) {
      DeleteRecordsResponse::TopicResult& result =
          response.topics.emplace_back();
      result.name = topic.name;
      for (const DeleteRecordsRequest::Partition& p : topic.partitions) {
        absl::StatusOr<Offset> low = context.server.broker->DeleteRecords(
            {topic.name, PartitionId(p.partition_index)}, Offset(p.offset));
        result.partitions.push_back(
            {.partition_index = p.partition_index,
             .low_watermark = low.ok() ? low->value() : -1,
             .error_code = KafkaErrorCode(low.status())});
      }
    }
    std::move(reply)(response);
  }

  std::optional<DeleteRecordsResponse> ErrorResponse(
      const RequestContext&, const DeleteRecordsRequest& request,
      int16_t error_code) const override {
    DeleteRecordsResponse response;
    for (const DeleteRecordsRequest::Topic& topic : request.topics) {
      DeleteRecordsResponse::TopicResult& result =
          response.topics.emplace_back();
      result.name = topic.name;
      for (const DeleteRecordsRequest::Partition& p : topic.partitions) {
        result.partitions.push_back({.partition_index = p.partition_index,
                                     .low_watermark = -1,
                                     .error_code = error_code});
      }
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewDeleteRecordsHandler() {
  return std::make_unique<DeleteRecordsHandler>();
}

}  // namespace rill::server
