// FindCoordinator: a group's coordinator is the leader of the group's
// `__consumer_offsets` partition (the topic is created on the first
// request), at its address on the listener the request came in on. rill has no
// transaction coordinator yet: transactional keys get
// COORDINATOR_NOT_AVAILABLE, which clients retry. Other key types are
// INVALID_REQUEST, as Kafka answers them.
#include "absl/strings/str_cat.h"
#include "protocol/messages/find_coordinator.h"
#include "rill/error.h"
#include "server/broker_addresses.h"
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
    absl::StatusOr<NodeId> coordinator =
        context.server.broker->FindGroupCoordinator(request.key);
    if (!coordinator.ok()) {
      std::move(reply)(
          NoCoordinator(KafkaErrorCode(coordinator.status()),
                        std::string(coordinator.status().message())));
      return;
    }
    std::optional<BrokerAddress> address =
        FindBrokerAddress(context, *coordinator);
    if (!address) {
      std::move(reply)(NoCoordinator(
          KafkaErrorCodeFor(ErrorReason::kCoordinatorNotAvailable),
          absl::StrCat("broker ", coordinator->value(),
                       " has no address on listener ", context.listener_name)));
      return;
    }
    FindCoordinatorResponse response;
    // Kafka sends the name of the error, "NONE", as the message.
    response.error_message = "NONE";
    response.node_id = address->id.value();
    response.host = std::move(address->host);
    response.port = address->port;
    std::move(reply)(response);
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
