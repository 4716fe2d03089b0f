// JoinGroup: hands the member to the group coordinator and answers when
// the rebalance completes — possibly much later, from the coordinator's
// timer thread or another member's request. v0 has no rebalance timeout
// (the session timeout serves); from v4 a new dynamic member first gets
// MEMBER_ID_REQUIRED with its id (Kafka never sends that error to older
// versions, whose clients would not know to join again); v5 brings static
// membership (group.instance.id), which never needs the extra round trip.
#include <string_view>

#include "protocol/messages/join_group.h"
#include "rill/group/group_coordinator.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

// ClientHost is the member's address as Kafka reports it (Java's
// InetAddress.toString: "/127.0.0.1"), from "host:port".
std::string ClientHost(std::string_view peer) {
  const size_t colon = peer.rfind(':');
  if (colon != std::string_view::npos) peer = peer.substr(0, colon);
  return "/" + std::string(peer);
}

protocol::JoinGroupResponse ToWire(rill::JoinGroupResponse joined) {
  protocol::JoinGroupResponse response;
  response.error_code = KafkaErrorCode(joined.status);
  response.generation_id = joined.generation_id;
  response.protocol_name = std::move(joined.protocol_name);
  response.leader = std::move(joined.leader);
  response.member_id = std::move(joined.member_id);
  for (rill::JoinGroupMember& m : joined.members) {
    response.members.push_back(
        {.member_id = std::move(m.member_id),
         .group_instance_id = std::move(m.group_instance_id),
         .metadata = protocol::Bytes{std::move(m.metadata)}});
  }
  return response;
}

class JoinGroupHandler final
    : public TypedHandler<protocol::JoinGroupRequest,
                          protocol::JoinGroupResponse> {
 public:
  JoinGroupHandler() : TypedHandler(protocol::V("0-5")) {}

  void Handle(const RequestContext& context,
              protocol::JoinGroupRequest& request,
              Reply<protocol::JoinGroupResponse> reply) override {
    const int16_t version = reply.version();
    rill::JoinGroupRequest join;
    join.group_id = std::move(request.group_id);
    join.session_timeout_ms = request.session_timeout_ms;
    join.rebalance_timeout_ms = version >= 1 ? request.rebalance_timeout_ms
                                             : request.session_timeout_ms;
    join.member_id = std::move(request.member_id);
    join.group_instance_id = std::move(request.group_instance_id);
    join.protocol_type = std::move(request.protocol_type);
    for (protocol::JoinGroupRequest::Protocol& p : request.protocols) {
      join.protocols.push_back(
          {.name = std::move(p.name), .metadata = std::move(p.metadata.data)});
    }
    join.require_known_member_id =
        version >= 4 && !join.group_instance_id.has_value();
    join.client_id = context.header.client_id.value_or("");
    join.client_host = ClientHost(context.peer);
    context.server.broker->group_coordinator().JoinGroup(
        std::move(join),
        [reply = std::move(reply)](rill::JoinGroupResponse joined) mutable {
          std::move(reply)(ToWire(std::move(joined)));
        });
  }

  std::optional<protocol::JoinGroupResponse> ErrorResponse(
      const RequestContext&, const protocol::JoinGroupRequest&,
      int16_t error_code) const override {
    protocol::JoinGroupResponse response;
    response.error_code = error_code;
    response.generation_id = -1;
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewJoinGroupHandler() {
  return std::make_unique<JoinGroupHandler>();
}

}  // namespace rill::server
