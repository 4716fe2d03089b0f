// Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it
// to rejoin. v3 adds the static member's instance id.
#include "protocol/messages/heartbeat.h"
#include "rill/group/group_coordinator.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

class HeartbeatHandler final
    : public TypedHandler<protocol::HeartbeatRequest,
                          protocol::HeartbeatResponse> {
 public:
  HeartbeatHandler() : TypedHandler(protocol::V("0-3")) {}

  void Handle(const RequestContext& context,
              protocol::HeartbeatRequest& request,
              Reply<protocol::HeartbeatResponse> reply) override {
    const absl::Status status =
        context.server.broker->group_coordinator().Heartbeat(
            {.group_id = std::move(request.group_id),
             .generation_id = request.generation_id,
             .member_id = std::move(request.member_id),
             .group_instance_id = std::move(request.group_instance_id)});
    protocol::HeartbeatResponse response;
    response.error_code = KafkaErrorCode(status);
    std::move(reply)(response);
  }

  std::optional<protocol::HeartbeatResponse> ErrorResponse(
      const RequestContext&, const protocol::HeartbeatRequest&,
      int16_t error_code) const override {
    protocol::HeartbeatResponse response;
    response.error_code = error_code;
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewHeartbeatHandler() {
  return std::make_unique<HeartbeatHandler>();
}

}  // namespace rill::server
