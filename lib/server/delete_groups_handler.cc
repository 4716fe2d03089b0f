// DeleteGroups: removes empty groups and their offsets, with an error per
// group (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP). A group named twice is
// answered once, as Kafka does.
#include <string>

#include "absl/container/flat_hash_set.h"
#include "protocol/messages/delete_groups.h"
#include "rill/group/group_coordinator.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::DeleteGroupsRequest;
using protocol::DeleteGroupsResponse;

class DeleteGroupsHandler final
    : public TypedHandler<DeleteGroupsRequest, DeleteGroupsResponse> {
 public:
  DeleteGroupsHandler() : TypedHandler(protocol::V("0-1")) {}

  void Handle(const RequestContext& context, DeleteGroupsRequest& request,
              Reply<DeleteGroupsResponse> reply) override {
    GroupCoordinator& coordinator = context.server.broker->group_coordinator();
    DeleteGroupsResponse response;
    absl::flat_hash_set<std::string> seen;
    for (const std::string& group_id : request.groups_names) {
      if (!seen.insert(group_id).second) continue;
      response.results.push_back(
          {.group_id = group_id,
           .error_code = KafkaErrorCode(coordinator.DeleteGroup(group_id))});
    }
    std::move(reply)(response);
  }

  std::optional<DeleteGroupsResponse> ErrorResponse(
      const RequestContext&, const DeleteGroupsRequest& request,
      int16_t error_code) const override {
    DeleteGroupsResponse response;
    for (const std::string& group_id : request.groups_names) {
      response.results.push_back(
          {.group_id = group_id, .error_code = error_code});
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewDeleteGroupsHandler() {
  return std::make_unique<DeleteGroupsHandler>();
}

}  // namespace rill::server
