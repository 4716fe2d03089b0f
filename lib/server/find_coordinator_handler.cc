// FindCoordinator: a single broker coordinates every group, so a group key
// finds this broker at its advertised address on the listener the request
// came in on. rill has no transaction coordinator yet: transactional keys
// get COORDINATOR_NOT_AVAILABLE, which clients retry. Other key types are
// INVALID_REQUEST, as Kafka answers them.
#include "protocol/messages/find_coordinator.h"
#include "rill/error.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::FindCoordinatorRequest;
using protocol::FindCoordinatorResponse;

constexpr int8_t kGroupKeyType = 0;
constexpr int8_t kTransactionKeyType = 1;

// Kafka's answer without a coordinator: Node.noNode() and the error.
FindCoordinatorResponse NoCoordinator(int16_t error_code, std::string message) {
  FindCoordinatorResponse response;
  response.error_code = error_code;
  response.error_message = std::move(message);
  response.node_id = -1;
  response.host = "";
  response.port = -1;
  return response;
}

class FindCoordinatorHandler final
    : public TypedHandler<FindCoordinatorRequest, FindCoordinatorResponse> {
 public:
  FindCoordinatorHandler() : TypedHandler(protocol::V("0-2")) {}

  void Handle(const RequestContext& context, FindCoordinatorRequest& request,
              Reply<FindCoordinatorResponse> reply) override {
    if (request.key_type == kTransactionKeyType) {
      std::move(reply)(NoCoordinator(
          KafkaErrorCodeFor(ErrorReason::kCoordinatorNotAvailable),
          "this broker has no transaction coordinator"));
      return;
    }
    if (request.key_type != kGroupKeyType) {
      std::move(reply)(
          NoCoordinator(kErrorInvalidRequest,
                        "key type must be 0 (group) or 1 (transaction)"));
      return;
    }
    for (const Endpoint& e : context.server.advertised) {
      if (e.listener_name != context.listener_name) continue;
      FindCoordinatorResponse response;
      // Kafka sends the name of the error, "NONE", as the message.
      response.error_message = "NONE";
      response.node_id = context.server.broker->node_id().value();
      response.host = e.host;
      response.port = e.port;
      std::move(reply)(response);
      return;
    }
    std::move(reply)(
        NoCoordinator(KafkaErrorCodeFor(ErrorReason::kCoordinatorNotAvailable),
                      "the broker advertises no address on this listener"));
  }

  std::optional<FindCoordinatorResponse> ErrorResponse(
      const RequestContext&, const FindCoordinatorRequest&,
      int16_t error_code) const override {
    FindCoordinatorResponse response;
    response.error_code = error_code;
    response.error_message = std::nullopt;
    response.node_id = -1;
    response.port = -1;
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewFindCoordinatorHandler() {
  return std::make_unique<FindCoordinatorHandler>();
}

}  // namespace rill::server
