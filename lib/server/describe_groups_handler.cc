// DescribeGroups: each group's state, protocol and members. Member
// metadata and assignments (opaque bytes) are filled in only while the
// group is Stable, and an unknown group is "Dead" with no error, as Kafka
// reports them. Asked for (v3+), the authorized operations are every group
// operation: rill has no authorizer, which Kafka answers the same way.
#include <cstdint>

#include "protocol/messages/describe_groups.h"
#include "rill/group/group_coordinator.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::DescribeGroupsRequest;
using protocol::DescribeGroupsResponse;

// Kafka's ACL operation codes for groups (READ 3, DELETE 6, DESCRIBE 8) as
// the bit field of authorized operations.
constexpr int32_t kAllGroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

DescribeGroupsResponse::DescribedGroup Describe(GroupCoordinator& coordinator,
                                                const std::string& group_id,
                                                bool with_operations) {
  DescribeGroupsResponse::DescribedGroup out;
  out.group_id = group_id;
  absl::StatusOr<GroupDescription> described =
      coordinator.DescribeGroup(group_id);
  if (!described.ok()) {
    out.error_code = KafkaErrorCode(described.status());
    return out;
  }
  out.group_state = std::move(described->state);
  out.protocol_type = std::move(described->protocol_type);
  out.protocol_data = std::move(described->protocol_name);
  for (GroupMemberDescription& m : described->members) {
    out.members.push_back(
        {.member_id = std::move(m.member_id),
         .group_instance_id = std::move(m.group_instance_id),
         .client_id = std::move(m.client_id),
         .client_host = std::move(m.client_host),
         .member_metadata = protocol::Bytes{std::move(m.metadata)},
         .member_assignment = protocol::Bytes{std::move(m.assignment)}});
  }
  if (with_operations) out.authorized_operations = kAllGroupOperations;
  return out;
}

class DescribeGroupsHandler final
    : public TypedHandler<DescribeGroupsRequest, DescribeGroupsResponse> {
 public:
  DescribeGroupsHandler() : TypedHandler(protocol::V("0-4")) {}

  void Handle(const RequestContext& context, DescribeGroupsRequest& request,
              Reply<DescribeGroupsResponse> reply) override {
    GroupCoordinator& coordinator = context.server.broker->group_coordinator();
    // Absent before v3: decoded as false.
    const bool with_operations = request.include_authorized_operations;
    DescribeGroupsResponse response;
    for (const std::string& group_id : request.groups) {
      response.groups.push_back(
          Describe(coordinator, group_id, with_operations));
    }
    std::move(reply)(response);
  }

  std::optional<DescribeGroupsResponse> ErrorResponse(
      const RequestContext&, const DescribeGroupsRequest& request,
      int16_t error_code) const override {
    DescribeGroupsResponse response;
    for (const std::string& group_id : request.groups) {
      DescribeGroupsResponse::DescribedGroup& group =
          response.groups.emplace_back();
      group.error_code = error_code;
      group.group_id = group_id;
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewDescribeGroupsHandler() {
  return std::make_unique<DescribeGroupsHandler>();
}

}  // namespace rill::server
