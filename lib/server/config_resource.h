// Kafka's config resource types (DescribeConfigs, AlterConfigs) and how a
// broker resource names its broker.
#ifndef RILL_SERVER_CONFIG_RESOURCE_H_
#define RILL_SERVER_CONFIG_RESOURCE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "rill/types.h"

namespace rill::server {

// ConfigResourceType is a resource's wire type; rill has configs for the
// two below. Others (broker loggers, client metrics, ...) are refused.
enum ConfigResourceType : int8_t {
  kConfigResourceTopic = 2,
  kConfigResourceBroker = 4,
};

// CheckBrokerResource accepts a broker resource name that is this broker's
// id; "" (the cluster-wide default) only if `allow_default`. Otherwise
// kInvalidRequest, as Kafka answers.
absl::Status CheckBrokerResource(const std::string& name, NodeId node,
                                 bool allow_default);

}  // namespace rill::server

#endif  // RILL_SERVER_CONFIG_RESOURCE_H_
