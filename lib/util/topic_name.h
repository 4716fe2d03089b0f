// Topic names: Kafka's legal characters and the internal topics. Below the
// broker because the controller (replication/) validates names too.
#ifndef RILL_UTIL_TOPIC_NAME_H_
#define RILL_UTIL_TOPIC_NAME_H_

#include <string_view>

#include "absl/status/status.h"

namespace rill::util {

// kOffsetsTopic holds committed offsets and group metadata.
inline constexpr std::string_view kOffsetsTopic = "__consumer_offsets";

// kMaxTopicNameLength is Kafka's 249: a partition directory name
// "<topic>-<partition>" must fit in 255 bytes.
inline constexpr size_t kMaxTopicNameLength = 249;

// ValidateTopicName accepts [a-zA-Z0-9._-]{1,249} other than "." and "..";
// anything else is kInvalidTopic naming the problem.
absl::Status ValidateTopicName(std::string_view name);

// IsInternalTopic: topics the broker owns (hidden from listings, not
// deletable by users).
bool IsInternalTopic(std::string_view name);

}  // namespace rill::util

#endif  // RILL_UTIL_TOPIC_NAME_H_
