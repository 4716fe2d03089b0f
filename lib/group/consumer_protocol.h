// consumer_protocol.h — what the coordinator reads of Kafka's consumer
// protocol: the topics a member subscribes to.
//
// Members of a "consumer" group send a ConsumerProtocolSubscription as their
// protocol metadata: int16 version, then (in every version, v0 being the
// prefix of all) an array of topic strings, nullable user_data bytes, and in
// v1+ owned partitions, in v2+ a generation id. The coordinator only needs the
// topics, to refuse OffsetDelete on topics a live group consumes and to keep
// their offsets from expiring.
//
//   ASSIGN_OR_RETURN(std::vector<std::string> topics,
//                    ParseSubscriptionTopics(member_metadata));
#ifndef RILL_GROUP_CONSUMER_PROTOCOL_H_
#define RILL_GROUP_CONSUMER_PROTOCOL_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rill::group {

// ParseSubscriptionTopics returns the topics of a ConsumerProtocolSubscription.
// kDataLoss when the bytes are not one (short, negative version, null topic).
absl::StatusOr<std::vector<std::string>> ParseSubscriptionTopics(
    std::string_view metadata);

// EncodeSubscription writes a version-0 ConsumerProtocolSubscription (topics
// and user data), as a Kafka consumer would; for tests and in-process
// clients.
std::string EncodeSubscription(const std::vector<std::string>& topics,
                               std::string_view user_data = {});

}  // namespace rill::group

#endif  // RILL_GROUP_CONSUMER_PROTOCOL_H_
