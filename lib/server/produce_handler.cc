// Produce: each partition's batch goes to Broker::Produce, in request order
// (the connection calls handlers in order, so a client's pipelined batches
// reach the log in the order it sent them). The answer waits for every
// partition: acks=1 answers come back inline, acks=all ones when the ISR
// has the batch. acks=0 answers nothing — but an error then closes the
// connection, as Kafka does, so the producer learns something went wrong.
#include "absl/synchronization/mutex.h"
#include "protocol/messages/produce.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::ProduceRequest;
using protocol::ProduceResponse;

// PendingProduce gathers partition answers from any thread; the last one
// sends the reply. It starts with one extra count, released once every
// partition has been submitted, so the reply cannot go out half-filled.
class PendingProduce {
 public:
  PendingProduce(ProduceResponse skeleton, size_t partitions,
                 Reply<ProduceResponse> reply, bool answer)
      : response_(std::move(skeleton)),
        remaining_(partitions + 1),
        reply_(std::move(reply)),
        answer_(answer) {}

  void Complete(size_t topic, size_t partition,
                absl::StatusOr<ProduceResult> result) {
    absl::MutexLock lock(&mu_);
    ProduceResponse::PartitionResponse& slot =
        response_.responses[topic].partition_responses[partition];
    if (result.ok()) {
      slot.base_offset = result->base_offset.value();
      slot.log_append_time_ms = result->log_append_time_ms;
      slot.log_start_offset = result->log_start_offset.value();
    } else {
      slot.error_code = KafkaErrorCode(result.status());
      slot.base_offset = -1;
      failed_ = true;
    }
    Release();
  }

  // Submitted: every partition has been handed to the broker.
  void Submitted() {
    absl::MutexLock lock(&mu_);
    Release();
  }

 private:
  void Release() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (--remaining_ > 0) return;
    if (answer_) {
      std::move(reply_)(response_);
    } else if (!failed_) {
      std::move(reply_).Skip();
    }
    // acks=0 with an error: the reply is dropped unanswered, which closes
    // the connection.
  }

  absl::Mutex mu_;
  ProduceResponse response_ ABSL_GUARDED_BY(mu_);
  size_t remaining_ ABSL_GUARDED_BY(mu_);
  Reply<ProduceResponse> reply_ ABSL_GUARDED_BY(mu_);
  const bool answer_;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
};

class ProduceHandler final
    : public TypedHandler<ProduceRequest, ProduceResponse> {
 public:
  ProduceHandler() : TypedHandler(protocol::V("0-7")) {}

  void Handle(const RequestContext& context, ProduceRequest& request,
              Reply<ProduceResponse> reply) override {
    const bool valid_acks =
        request.acks == 0 || request.acks == 1 || request.acks == -1;
    const int16_t version = reply.version();
    ProduceResponse skeleton;
    size_t partitions = 0;
    for (const ProduceRequest::TopicData& topic : request.topic_data) {
      ProduceResponse::TopicResponse& t = skeleton.responses.emplace_back();
      t.name = topic.name;
      for (const ProduceRequest::PartitionData& p : topic.partition_data) {
        ProduceResponse::PartitionResponse& r =
            t.partition_responses.emplace_back();
        r.index = p.index;
        ++partitions;
      }
    }
    auto pending = std::make_shared<PendingProduce>(
        std::move(skeleton), partitions, std::move(reply),
        /*answer=*/request.acks != 0);
    const ProduceOptions options{.acks = static_cast<Acks>(request.acks),
                                 .timeout_ms = request.timeout_ms,
                                 // zstd batches need Produce v7 (KIP-110).
                                 .allow_zstd = version >= 7};
    for (size_t i = 0; i < request.topic_data.size(); ++i) {
      ProduceRequest::TopicData& topic = request.topic_data[i];
      for (size_t j = 0; j < topic.partition_data.size(); ++j) {
        ProduceRequest::PartitionData& p = topic.partition_data[j];
        if (!valid_acks) {
          pending->Complete(i, j,
                            MakeError(ErrorReason::kInvalidRequiredAcks,
                                      "acks must be 0, 1 or -1"));
          continue;
        }
        context.server.broker->Produce(
            {topic.name, PartitionId(p.index)}, p.records.view, options,
            [pending, i, j](absl::StatusOr<ProduceResult> result) {
              pending->Complete(i, j, std::move(result));
            });
      }
    }
    pending->Submitted();
  }

  // Nothing is appended. acks=0 gets no answer: the connection closes, as
  // when an acks=0 produce fails.
  std::optional<ProduceResponse> ErrorResponse(
      const RequestContext&, const ProduceRequest& request,
      int16_t error_code) const override {
    if (request.acks == 0) return std::nullopt;
    ProduceResponse response;
    for (const ProduceRequest::TopicData& topic : request.topic_data) {
      ProduceResponse::TopicResponse& t = response.responses.emplace_back();
      t.name = topic.name;
      for (const ProduceRequest::PartitionData& p : topic.partition_data) {
        t.partition_responses.push_back({.index = p.index,
                                         .error_code = error_code,
                                         .base_offset = -1,
                                         .log_append_time_ms = -1,
                                         .log_start_offset = -1});
      }
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewProduceHandler() {
  return std::make_unique<ProduceHandler>();
}

}  // namespace rill::server
