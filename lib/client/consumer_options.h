// client/consumer_options.h — checking ConsumerOptions, and Kafka's names
// for assignors.
#ifndef RILL_CLIENT_CONSUMER_OPTIONS_H_
#define RILL_CLIENT_CONSUMER_OPTIONS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/client/consumer.h"

namespace rill::client {

// ValidateConsumerOptions rejects options no Kafka consumer would start
// with (kInvalidArgument, naming the config): unknown or no assignors,
// heartbeat.interval.ms >= session.timeout.ms, non-positive timeouts,
// max.poll.records < 1, negative fetch sizes, an empty group.instance.id.
absl::Status ValidateConsumerOptions(const ConsumerOptions& options);

// AssignorShortName maps a partition.assignment.strategy entry to rill's
// assignor name: Kafka's class names
// (org.apache.kafka.clients.consumer.RangeAssignor, RoundRobinAssignor,
// CooperativeStickyAssignor) and the short names themselves ("range",
// "roundrobin", "cooperative-sticky"). kInvalidArgument for anything else
// (including Kafka's StickyAssignor, which rill does not implement).
absl::StatusOr<std::string> AssignorShortName(std::string_view name);

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_OPTIONS_H_
