// InitProducerId: a producer id for an idempotent producer.
//
// Without a transactional id Kafka's coordinator "blindly" hands out a new
// producer id with epoch 0, whatever id and epoch a v3+ request names; so
// does rill (Broker::InitProducerId). Bumping an epoch in place (KIP-360)
// only matters for a transactional id, whose state the coordinator keeps;
// an idempotent producer bumps its own epoch (librdkafka does) or takes the
// new id. v3+ still checks that producer_id and producer_epoch are both -1
// or both set (INVALID_REQUEST otherwise), as Kafka does.
//
// rill has no transaction coordinator. A transactional id is answered
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED, the code Kafka sends a client that
// may not use transactional ids. librdkafka (like the Java client) treats it
// as fatal, so init_transactions() fails at once with that reason; a
// retriable code such as COORDINATOR_NOT_AVAILABLE would have the client
// retry every 500 ms until its own timeout. An empty transactional id is
// INVALID_REQUEST, as in Kafka.
#include "protocol/messages/init_producer_id.h"
#include "rill/error.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::InitProducerIdRequest;
using protocol::InitProducerIdResponse;

absl::StatusOr<ProducerIdAndEpoch> Init(Broker& broker,
                                        const InitProducerIdRequest& request) {
  if ((request.producer_id == -1) != (request.producer_epoch == -1)) {
    return MakeError(ErrorReason::kInvalidRequest,
                     "producer_id and producer_epoch must both be -1 or both "
                     "be set");
  }
  if (request.transactional_id.has_value()) {
    if (request.transactional_id->empty()) {
      return MakeError(ErrorReason::kInvalidRequest,
                       "the transactional id must not be empty");
    }
    return MakeError(ErrorReason::kTransactionalIdAuthorizationFailed,
                     "rill does not support transactions");
  }
  return broker.InitProducerId();
}

class InitProducerIdHandler final
    : public TypedHandler<InitProducerIdRequest, InitProducerIdResponse> {
 public:
  InitProducerIdHandler() : TypedHandler(protocol::V("0-4")) {}

  void Handle(const RequestContext& context, InitProducerIdRequest& request,
              Reply<InitProducerIdResponse> reply) override {
    absl::StatusOr<ProducerIdAndEpoch> id =
        Init(*context.server.broker, request);
    InitProducerIdResponse response;
    response.error_code = KafkaErrorCode(id.status());
    response.producer_id = id.ok() ? id->producer_id.value() : -1;
    response.producer_epoch = id.ok() ? id->epoch.value() : -1;
    std::move(reply)(response);
  }

  std::optional<InitProducerIdResponse> ErrorResponse(
      const RequestContext&, const InitProducerIdRequest&,
      int16_t error_code) const override {
    InitProducerIdResponse response;
    response.error_code = error_code;
    response.producer_id = -1;
    response.producer_epoch = -1;
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewInitProducerIdHandler() {
  return std::make_unique<InitProducerIdHandler>();
}

}  // namespace rill::server
