// OffsetForLeaderEpoch: where a leader epoch ends in this broker's log, per
// partition, through Broker::OffsetForLeaderEpoch. A follower asks it after
// a leadership change to find where its log diverges from the leader's
// (KIP-101/KIP-279) and truncates there.
//
// Only a partition's leader answers: a follower replica gets
// NOT_LEADER_OR_FOLLOWER whatever the replica id, also the "debug" -2 of
// v0-2, which Kafka lets read a follower's log. From v2 a current leader
// epoch older than the leader's is FENCED_LEADER_EPOCH, a newer one
// UNKNOWN_LEADER_EPOCH. A partition that errs, or an epoch above the
// leader's latest, answers leader epoch -1 and end offset -1.
#include "protocol/messages/offset_for_leader_epoch.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::OffsetForLeaderEpochRequest;
using protocol::OffsetForLeaderEpochResponse;

class OffsetForLeaderEpochHandler final
    : public TypedHandler<OffsetForLeaderEpochRequest,
                          OffsetForLeaderEpochResponse> {
 public:
  OffsetForLeaderEpochHandler() : TypedHandler(protocol::V("0-3")) {}

  void Handle(const RequestContext& context,
              OffsetForLeaderEpochRequest& request,
              Reply<OffsetForLeaderEpochResponse> reply) override {
    Broker& broker = *context.server.broker;
    OffsetForLeaderEpochResponse response;
    response.topics.reserve(request.topics.size());
    for (const OffsetForLeaderEpochRequest::Topic& topic : request.topics) {
      OffsetForLeaderEpochResponse::Topic& out = response.topics.emplace_back();
      out.topic = topic.topic;
      out.partitions.reserve(topic.partitions.size());
      for (const OffsetForLeaderEpochRequest::Partition& p : topic.partitions) {
        const absl::StatusOr<EpochEndOffset> found =
            broker.OffsetForLeaderEpoch({topic.topic, PartitionId(p.partition)},
                                        LeaderEpoch(p.current_leader_epoch),
                                        LeaderEpoch(p.leader_epoch));
        OffsetForLeaderEpochResponse::Partition& answer =
            out.partitions.emplace_back();
        answer.partition = p.partition;
        answer.error_code = KafkaErrorCode(found.status());
        answer.leader_epoch = found.ok() ? found->epoch.value() : -1;
        answer.end_offset = found.ok() ? found->end_offset.value() : -1;
      }
    }
    std::move(reply)(response);
  }

  std::optional<OffsetForLeaderEpochResponse> ErrorResponse(
      const RequestContext&, const OffsetForLeaderEpochRequest& request,
      int16_t error_code) const override {
    OffsetForLeaderEpochResponse response;
    for (const OffsetForLeaderEpochRequest::Topic& topic : request.topics) {
      OffsetForLeaderEpochResponse::Topic& out = response.topics.emplace_back();
      out.topic = topic.topic;
      for (const OffsetForLeaderEpochRequest::Partition& p : topic.partitions) {
        out.partitions.push_back({.error_code = error_code,
                                  .partition = p.partition,
                                  .leader_epoch = -1,
                                  .end_offset = -1});
      }
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewOffsetForLeaderEpochHandler() {
  return std::make_unique<OffsetForLeaderEpochHandler>();
}

}  // namespace rill::server
