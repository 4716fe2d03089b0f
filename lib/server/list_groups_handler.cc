// ListGroups: every group the broker coordinates, with its protocol type
// ("consumer" for consumer groups; empty for groups that only store
// offsets).
#include "protocol/messages/list_groups.h"
#include "rill/group/group_coordinator.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::ListGroupsRequest;
using protocol::ListGroupsResponse;

class ListGroupsHandler final
    : public TypedHandler<ListGroupsRequest, ListGroupsResponse> {
 public:
  ListGroupsHandler() : TypedHandler(protocol::V("0-2")) {}

  void Handle(const RequestContext& context, ListGroupsRequest&,
              Reply<ListGroupsResponse> reply) override {
    ListGroupsResponse response;
    for (GroupListing& g :
         context.server.broker->group_coordinator().ListGroups()) {
      response.groups.push_back({.group_id = std::move(g.group_id),
                                 .protocol_type = std::move(g.protocol_type)});
    }
    std::move(reply)(response);
  }

  std::optional<ListGroupsResponse> ErrorResponse(
      const RequestContext&, const ListGroupsRequest&,
      int16_t error_code) const override {
    ListGroupsResponse response;
    response.error_code = error_code;
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewListGroupsHandler() {
  return std::make_unique<ListGroupsHandler>();
}

}  // namespace rill::server
