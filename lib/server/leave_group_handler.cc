// LeaveGroup: members leave at once instead of waiting out their session.
// v0-2 name one member and have one error code: as Kafka, the group-level
// error if any, else the member's. v3 takes a list (an administrator may
// remove static members by instance id alone) and answers per member,
// echoing each identity.
#include "protocol/messages/leave_group.h"
#include "rill/group/group_coordinator.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

class LeaveGroupHandler final
    : public TypedHandler<protocol::LeaveGroupRequest,
                          protocol::LeaveGroupResponse> {
 public:
  LeaveGroupHandler() : TypedHandler(protocol::V("0-3")) {}

  void Handle(const RequestContext& context,
              protocol::LeaveGroupRequest& request,
              Reply<protocol::LeaveGroupResponse> reply) override {
    rill::LeaveGroupRequest leave;
    leave.group_id = request.group_id;
    if (reply.version() <= 2) {
      leave.members.push_back(
          {.member_id = request.member_id, .group_instance_id = std::nullopt});
    } else {
      for (const protocol::LeaveGroupRequest::MemberIdentity& m :
           request.members) {
        leave.members.push_back({.member_id = m.member_id,
                                 .group_instance_id = m.group_instance_id});
      }
    }
    const rill::LeaveGroupResponse left =
        context.server.broker->group_coordinator().LeaveGroup(leave);
    protocol::LeaveGroupResponse response;
    response.error_code = KafkaErrorCode(left.status);
    if (reply.version() <= 2) {
      for (const absl::Status& s : left.member_statuses) {
        if (response.error_code != kErrorNone) break;
        response.error_code = KafkaErrorCode(s);
      }
    } else if (left.status.ok()) {
      for (size_t i = 0;
           i < left.member_statuses.size() && i < leave.members.size(); ++i) {
        const rill::MemberIdentity& who = leave.members[i];
        response.members.push_back(
            {.member_id = who.member_id,
             .group_instance_id = who.group_instance_id,
             .error_code = KafkaErrorCode(left.member_statuses[i])});
      }
    }
    std::move(reply)(response);
  }

  std::optional<protocol::LeaveGroupResponse> ErrorResponse(
      const RequestContext&, const protocol::LeaveGroupRequest& request,
      int16_t error_code) const override {
    protocol::LeaveGroupResponse response;
    response.error_code = error_code;
    for (const auto& member : request.members) {
      response.members.push_back({.member_id = member.member_id,
                                  .group_instance_id = member.group_instance_id,
                                  .error_code = error_code});
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewLeaveGroupHandler() {
  return std::make_unique<LeaveGroupHandler>();
}

}  // namespace rill::server
