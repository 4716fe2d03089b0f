// ListOffsets: each partition's offset for a timestamp through
// Broker::ListOffsets: -1 the latest (the high watermark, or from v2 the
// last stable offset for read_committed), -2 the earliest, else the first
// record at or after the timestamp (offset and timestamp -1 when none).
//
// v0 answers a list of offsets "before" the timestamp, newest first, up to
// max_num_offsets. Kafka lists segment base offsets; rill answers the same
// single lookup as v1 (the latest, the earliest, or the first record at or
// after the time, which every record before it precedes), followed by the
// log start offset when more than one is asked for and it is smaller.
//
// From v1 a partition named twice in one request gets INVALID_REQUEST, as
// Kafka answers.
#include <set>
#include <utility>

#include "protocol/messages/list_offsets.h"
#include "rill/error.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;

void AnswerV0(Broker& broker, const TopicPartition& tp,
              const ListOffsetsRequest::Partition& p,
              ListOffsetsResponse::Partition& out) {
  absl::StatusOr<ListOffsetsResult> found =
      broker.ListOffsets(tp, {.timestamp = p.timestamp,
                              .isolation = IsolationLevel::kReadUncommitted});
  absl::StatusOr<PartitionOffsets> bounds = broker.GetPartitionOffsets(tp);
  if (!found.ok() || !bounds.ok()) {
    out.error_code =
        KafkaErrorCode(found.ok() ? bounds.status() : found.status());
    return;
  }
  // No record at or after the time: every offset is before it.
  const Offset offset =
      found->offset.value() < 0 ? bounds->high_watermark : found->offset;
  if (p.max_num_offsets < 1) return;
  out.old_style_offsets.push_back(offset.value());
  if (p.max_num_offsets > 1 && bounds->log_start_offset < offset) {
    out.old_style_offsets.push_back(bounds->log_start_offset.value());
  }
}

class ListOffsetsHandler final
    : public TypedHandler<ListOffsetsRequest, ListOffsetsResponse> {
 public:
  ListOffsetsHandler() : TypedHandler(protocol::V("0-3")) {}

  void Handle(const RequestContext& context, ListOffsetsRequest& request,
              Reply<ListOffsetsResponse> reply) override {
    Broker& broker = *context.server.broker;
    const int16_t version = reply.version();
    const IsolationLevel isolation = request.isolation_level == 1
                                         ? IsolationLevel::kReadCommitted
                                         : IsolationLevel::kReadUncommitted;
    std::set<std::pair<std::string, int32_t>> seen, duplicated;
    for (const ListOffsetsRequest::Topic& topic : request.topics) {
      for (const ListOffsetsRequest::Partition& p : topic.partitions) {
        if (!seen.emplace(topic.name, p.partition_index).second) {
          duplicated.emplace(topic.name, p.partition_index);
        }
      }
    }
    ListOffsetsResponse response;
    for (const ListOffsetsRequest::Topic& topic : request.topics) {
      ListOffsetsResponse::Topic& out_topic = response.topics.emplace_back();
      out_topic.name = topic.name;
      for (const ListOffsetsRequest::Partition& p : topic.partitions) {
        ListOffsetsResponse::Partition& out =
            out_topic.partitions.emplace_back();
        out.partition_index = p.partition_index;
        const TopicPartition tp{topic.name, PartitionId(p.partition_index)};
        if (version == 0) {
          AnswerV0(broker, tp, p, out);
          continue;
        }
        if (duplicated.contains({topic.name, p.partition_index})) {
          out.error_code = KafkaErrorCodeFor(ErrorReason::kInvalidRequest);
          continue;
        }
        absl::StatusOr<ListOffsetsResult> found = broker.ListOffsets(
            tp, {.timestamp = p.timestamp, .isolation = isolation});
        if (!found.ok()) {
          out.error_code = KafkaErrorCode(found.status());
          continue;
        }
        out.offset = found->offset.value();
        out.timestamp = found->timestamp_ms;
      }
    }
    std::move(reply)(response);
  }

  std::optional<ListOffsetsResponse> ErrorResponse(
      const RequestContext&, const ListOffsetsRequest& request,
      int16_t error_code) const override {
    ListOffsetsResponse response;
    for (const ListOffsetsRequest::Topic& topic : request.topics) {
      ListOffsetsResponse::Topic& t = response.topics.emplace_back();
      t.name = topic.name;
      for (const ListOffsetsRequest::Partition& p : topic.partitions) {
        ListOffsetsResponse::Partition& out = t.partitions.emplace_back();
        out.partition_index = p.partition_index;
        out.error_code = error_code;
      }
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewListOffsetsHandler() {
  return std::make_unique<ListOffsetsHandler>();
}

}  // namespace rill::server
