// Fetch: one delayed Broker::Fetch over every requested partition. The
// answer carries the stored batches as log slices, so the connection sends
// them from the page cache (sendfile) or the in-memory log without copying.
// Fetch sessions (KIP-227) are not kept: every fetch is a full one and is
// answered with session id 0; a client naming a session gets
// FETCH_SESSION_ID_NOT_FOUND and falls back to full fetches.
//
// A follower broker fetches with its id as replica_id: the broker takes its
// fetch offsets as the follower's progress (high watermark, ISR) and reads
// up to the log end rather than the high watermark. What a follower needs
// back is all here: the batches, the high watermark and (v5+) the log start
// offset. From v9 each partition's current_leader_epoch fences a fetcher
// whose leader epoch is older (FENCED_LEADER_EPOCH) or newer
// (UNKNOWN_LEADER_EPOCH) than the leader's; -1 is not checked.
#include "protocol/messages/fetch.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::FetchRequest;
using protocol::FetchResponse;

class FetchHandler final : public TypedHandler<FetchRequest, FetchResponse> {
 public:
  FetchHandler() : TypedHandler(protocol::V("4-11")) {}

  void Handle(const RequestContext& context, FetchRequest& request,
              Reply<FetchResponse> reply) override {
    if (request.session_id != 0) {
      FetchResponse response;
      response.error_code = kErrorFetchSessionIdNotFound;
      std::move(reply)(response);
      return;
    }
    rill::FetchRequest fetch;
    fetch.replica_id = NodeId(request.replica_id);
    fetch.min_bytes = request.min_bytes;
    fetch.max_wait_ms = request.max_wait_ms;
    fetch.max_bytes = request.max_bytes;
    fetch.isolation = request.isolation_level == 1
                          ? IsolationLevel::kReadCommitted
                          : IsolationLevel::kReadUncommitted;
    // The response lists topics in request order; remember the shape.
    std::vector<std::pair<std::string, size_t>> shape;
    for (const FetchRequest::FetchTopic& topic : request.topics) {
      shape.emplace_back(topic.topic, topic.partitions.size());
      for (const FetchRequest::FetchPartition& p : topic.partitions) {
        fetch.partitions.push_back(
            {.tp = {topic.topic, PartitionId(p.partition)},
             .fetch_offset = Offset(p.fetch_offset),
             .max_bytes = p.partition_max_bytes,
             .current_leader_epoch = LeaderEpoch(p.current_leader_epoch)});
      }
    }
    context.server.broker->Fetch(
        std::move(fetch), [reply = std::move(reply), shape = std::move(shape)](
                              rill::FetchResult result) mutable {
          std::move(reply)(ToResponse(shape, std::move(result)));
        });
  }

  // Kafka sets the top-level code (v7+) and every partition's, as
  // librdkafka's mock cluster does; librdkafka applies a top-level code
  // to each partition.
  std::optional<FetchResponse> ErrorResponse(
      const RequestContext&, const FetchRequest& request,
      int16_t error_code) const override {
    FetchResponse response;
    response.error_code = error_code;
    for (const FetchRequest::FetchTopic& topic : request.topics) {
      FetchResponse::FetchableTopic& t = response.responses.emplace_back();
      t.topic = topic.topic;
      for (const FetchRequest::FetchPartition& p : topic.partitions) {
        FetchResponse::PartitionData& data = t.partitions.emplace_back();
        data.partition_index = p.partition;
        data.error_code = error_code;
        data.high_watermark = -1;
      }
    }
    return response;
  }

 private:
  static FetchResponse ToResponse(
      const std::vector<std::pair<std::string, size_t>>& shape,
      rill::FetchResult result) {
    FetchResponse response;
    size_t next = 0;
    for (const auto& [name, count] : shape) {
      FetchResponse::FetchableTopic& topic = response.responses.emplace_back();
      topic.topic = name;
      for (size_t i = 0; i < count && next < result.partitions.size();
           ++i, ++next) {
        FetchPartitionResult& r = result.partitions[next];
        FetchResponse::PartitionData& p = topic.partitions.emplace_back();
        p.partition_index = r.tp.partition.value();
        p.error_code = KafkaErrorCode(r.status);
        p.high_watermark = r.high_watermark.value();
        p.last_stable_offset = r.last_stable_offset.value();
        p.log_start_offset = r.log_start_offset.value();
        auto& aborted = p.aborted_transactions.emplace();
        for (const AbortedTransaction& txn : r.aborted_transactions) {
          aborted.push_back({.producer_id = txn.producer_id.value(),
                             .first_offset = txn.first_offset.value()});
        }
        p.records.slices = std::move(r.records.slices);
      }
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewFetchHandler() {
  return std::make_unique<FetchHandler>();
}

}  // namespace rill::server
