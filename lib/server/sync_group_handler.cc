// SyncGroup: the leader hands in every member's assignment; each member
// (leader included) is answered with its own once the coordinator has
// stored them, so followers wait for the leader. v3 adds the static
// member's instance id.
#include "protocol/messages/sync_group.h"
#include "rill/group/group_coordinator.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

class SyncGroupHandler final
    : public TypedHandler<protocol::SyncGroupRequest,
                          protocol::SyncGroupResponse> {
 public:
  SyncGroupHandler() : TypedHandler(protocol::V("0-3")) {}

  void Handle(const RequestContext& context,
              protocol::SyncGroupRequest& request,
              Reply<protocol::SyncGroupResponse> reply) override {
    rill::SyncGroupRequest sync;
    sync.group_id = std::move(request.group_id);
    sync.generation_id = request.generation_id;
    sync.member_id = std::move(request.member_id);
    sync.group_instance_id = std::move(request.group_instance_id);
    for (protocol::SyncGroupRequest::Assignment& a : request.assignments) {
      sync.assignments.push_back({.member_id = std::move(a.member_id),
                                  .assignment = std::move(a.assignment.data)});
    }
    context.server.broker->group_coordinator().SyncGroup(
        std::move(sync),
        [reply = std::move(reply)](rill::SyncGroupResponse synced) mutable {
          protocol::SyncGroupResponse response;
          response.error_code = KafkaErrorCode(synced.status);
          response.assignment.data = std::move(synced.assignment);
          std::move(reply)(response);
        });
  }

  std::optional<protocol::SyncGroupResponse> ErrorResponse(
      const RequestContext&, const protocol::SyncGroupRequest&,
      int16_t error_code) const override {
    protocol::SyncGroupResponse response;
    response.error_code = error_code;
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewSyncGroupHandler() {
  return std::make_unique<SyncGroupHandler>();
}

}  // namespace rill::server
