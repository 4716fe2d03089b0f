// Broker configs under Kafka's broker names: what DescribeConfigs reports
// for a broker resource, and which broker config each topic config falls
// back on (Kafka's "synonyms": retention.ms ← log.retention.ms).
#ifndef RILL_BROKER_BROKER_CONFIGS_H_
#define RILL_BROKER_BROKER_CONFIGS_H_

#include <string_view>
#include <vector>

#include "rill/broker/broker.h"
#include "rill/broker/topic.h"

namespace rill::broker {

// BrokerConfigName is the broker config a topic config defaults to, e.g.
// "log.retention.ms" for "retention.ms" and "min.insync.replicas" for
// itself; empty for a name rill does not know.
std::string_view BrokerConfigName(std::string_view topic_config);

// DescribeBrokerConfigs lists the configs `options` set, under Kafka's
// broker names, sorted by name. Every entry is read-only (rill has no
// dynamic broker configs); its source is kBrokerDefault where `options`
// differ from BrokerOptions{} and kDefault otherwise, with synonyms listing
// the configured value (if any) and then the default.
std::vector<ConfigEntry> DescribeBrokerConfigs(const BrokerOptions& options);

}  // namespace rill::broker

#endif  // RILL_BROKER_BROKER_CONFIGS_H_
