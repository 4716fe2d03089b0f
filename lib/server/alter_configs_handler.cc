// AlterConfigs: replace a topic's whole config set through
// Broker::ReplaceTopicConfigs (configs left out return to their defaults;
// a null value is left out, as Kafka does; of a name given twice the last
// wins). Errors are per resource, with a message: UNKNOWN_TOPIC_OR_PARTITION,
// INVALID_CONFIG naming the bad config.
//
// Broker resources set Kafka's dynamic broker configs, which rill does not
// have: its broker configs are fixed when the broker opens. Replacing the
// (empty) dynamic set with an empty one succeeds; anything else is
// INVALID_REQUEST saying so — the answer Kafka gives for a config that
// cannot be updated dynamically. Other resource types are INVALID_REQUEST.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "protocol/messages/alter_configs.h"
#include "rill/error.h"
#include "server/config_resource.h"
#include "server/error_codes.h"
#include "server/handlers.h"
#include "util/status_macros.h"

namespace rill::server {
namespace {

using protocol::AlterConfigsRequest;
using protocol::AlterConfigsResponse;

absl::Status Alter(Broker& broker,
                   const AlterConfigsRequest::Resource& resource,
                   bool validate_only) {
  switch (resource.resource_type) {
    case kConfigResourceTopic: {
      std::map<std::string, std::string> configs;
      for (const AlterConfigsRequest::AlterableConfig& config :
           resource.configs) {
        if (config.value.has_value()) configs[config.name] = *config.value;
      }
      return broker.ReplaceTopicConfigs(resource.resource_name, configs,
                                        validate_only);
    }
    case kConfigResourceBroker:
      RETURN_IF_ERROR(CheckBrokerResource(
          resource.resource_name, broker.node_id(), /*allow_default=*/true));
      if (resource.configs.empty()) return absl::OkStatus();
      return MakeError(
          ErrorReason::kInvalidRequest,
          absl::StrCat("cannot update broker configs dynamically (",
                       resource.configs.front().name,
                       "...): rill's broker configs are set when the "
                       "broker starts (server.properties or options)"));
    default:
      return MakeError(
          ErrorReason::kInvalidRequest,
          absl::StrCat("AlterConfigs is only supported for topics (2) and "
                       "brokers (4), not resource type ",
                       static_cast<int>(resource.resource_type)));
  }
}

class AlterConfigsHandler final
    : public TypedHandler<AlterConfigsRequest, AlterConfigsResponse> {
 public:
  AlterConfigsHandler() : TypedHandler(protocol::V("0-1")) {}

  void Handle(const RequestContext& context, AlterConfigsRequest& request,
              Reply<AlterConfigsResponse> reply) override {
    AlterConfigsResponse response;
    for (const AlterConfigsRequest::Resource& resource : request.resources) {
      const absl::Status status =
          Alter(*context.server.broker, resource, request.validate_only);
      response.responses.push_back({.error_code = KafkaErrorCode(status),
                                    .error_message = KafkaErrorMessage(status),
                                    .resource_type = resource.resource_type,
                                    .resource_name = resource.resource_name});
    }
    std::move(reply)(response);
  }

  std::optional<AlterConfigsResponse> ErrorResponse(
      const RequestContext&, const AlterConfigsRequest& request,
      int16_t error_code) const override {
    AlterConfigsResponse response;
    for (const AlterConfigsRequest::Resource& resource : request.resources) {
      response.responses.push_back({.error_code = error_code,
                                    .error_message = std::nullopt,
                                    .resource_type = resource.resource_type,
                                    .resource_name = resource.resource_name});
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewAlterConfigsHandler() {
  return std::make_unique<AlterConfigsHandler>();
}

}  // namespace rill::server
