// DescribeConfigs: the configs of topics (Broker::DescribeTopicConfigs) and
// of this broker (Broker::DescribeBrokerConfigs), all of them or the keys
// asked for (an empty key list means all, as in Kafka; unknown keys are
// left out). Each entry has its value, source and, when asked from v1, its
// synonyms; v0 says is_default instead of the source. Errors are per
// resource, with a message: UNKNOWN_TOPIC_OR_PARTITION, and INVALID_REQUEST
// for another broker's id and for resource types rill has no configs for.
// The broker resource "" (cluster-wide dynamic defaults) is empty: rill has
// no dynamic broker configs.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "protocol/messages/describe_configs.h"
#include "rill/error.h"
#include "server/config_resource.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;

// Kafka's config sources (DescribeConfigsResponse.ConfigSource).
int8_t KafkaConfigSource(ConfigSource source) {
  switch (source) {
    case ConfigSource::kTopic:
      return 1;  // TOPIC_CONFIG
    case ConfigSource::kBrokerDefault:
      return 4;  // STATIC_BROKER_CONFIG
    case ConfigSource::kDefault:
      return 5;  // DEFAULT_CONFIG
  }
  return 0;  // UNKNOWN
}

absl::StatusOr<std::vector<ConfigEntry>> Entries(
    Broker& broker, const DescribeConfigsRequest::Resource& resource) {
  switch (resource.resource_type) {
    case kConfigResourceTopic:
      return broker.DescribeTopicConfigs(resource.resource_name);
    case kConfigResourceBroker: {
      absl::Status valid = CheckBrokerResource(
          resource.resource_name, broker.node_id(), /*allow_default=*/true);
      if (!valid.ok()) return valid;
      if (resource.resource_name.empty()) return std::vector<ConfigEntry>{};
      return broker.DescribeBrokerConfigs();
    }
    default:
      return MakeError(ErrorReason::kInvalidRequest,
                       absl::StrCat("unsupported resource type ",
                                    static_cast<int>(resource.resource_type),
                                    ": rill has topic (2) and broker (4) "
                                    "configs"));
  }
}

DescribeConfigsResponse::Result Describe(
    Broker& broker, const DescribeConfigsRequest::Resource& resource,
    bool include_synonyms) {
  DescribeConfigsResponse::Result out;
  out.resource_type = resource.resource_type;
  out.resource_name = resource.resource_name;
  absl::StatusOr<std::vector<ConfigEntry>> entries = Entries(broker, resource);
  out.error_code = KafkaErrorCode(entries.status());
  out.error_message = KafkaErrorMessage(entries.status());
  if (!entries.ok()) return out;
  const std::vector<std::string>* keys =
      resource.configuration_keys.has_value() &&
              !resource.configuration_keys->empty()
          ? &*resource.configuration_keys
          : nullptr;
  for (const ConfigEntry& entry : *entries) {
    if (keys != nullptr &&
        std::find(keys->begin(), keys->end(), entry.name) == keys->end()) {
      continue;
    }
    DescribeConfigsResponse::ResourceResult& config =
        out.configs.emplace_back();
    config.name = entry.name;
    config.value = entry.value;
    config.read_only = entry.read_only;
    config.is_default = entry.source == ConfigSource::kDefault;
    config.config_source = KafkaConfigSource(entry.source);
    config.is_sensitive = entry.sensitive;
    if (!include_synonyms) continue;
    for (const ConfigSynonym& synonym : entry.synonyms) {
      config.synonyms.push_back({.name = synonym.name,
                                 .value = synonym.value,
                                 .source = KafkaConfigSource(synonym.source)});
    }
  }
  return out;
}

class DescribeConfigsHandler final
    : public TypedHandler<DescribeConfigsRequest, DescribeConfigsResponse> {
 public:
  DescribeConfigsHandler() : TypedHandler(protocol::V("0-2")) {}

  void Handle(const RequestContext& context, DescribeConfigsRequest& request,
              Reply<DescribeConfigsResponse> reply) override {
    DescribeConfigsResponse response;
    for (const DescribeConfigsRequest::Resource& resource : request.resources) {
      response.results.push_back(
          Describe(*context.server.broker, resource, request.include_synonyms));
    }
    std::move(reply)(response);
  }

  std::optional<DescribeConfigsResponse> ErrorResponse(
      const RequestContext&, const DescribeConfigsRequest& request,
      int16_t error_code) const override {
    DescribeConfigsResponse response;
    for (const DescribeConfigsRequest::Resource& resource : request.resources) {
      DescribeConfigsResponse::Result& result = response.results.emplace_back();
      result.error_code = error_code;
      result.error_message = std::nullopt;
      result.resource_type = resource.resource_type;
      result.resource_name = resource.resource_name;
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewDescribeConfigsHandler() {
  return std::make_unique<DescribeConfigsHandler>();
}

}  // namespace rill::server
