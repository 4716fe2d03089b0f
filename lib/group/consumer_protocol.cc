#include "group/consumer_protocol.h"

#include <utility>

#include "group/wire.h"

namespace rill::group {

absl::StatusOr<std::vector<std::string>> ParseSubscriptionTopics(
    std::string_view metadata) {
  WireReader r(metadata, "ConsumerProtocolSubscription");
  const int16_t version = r.Int16();
  if (r.status().ok() && version < 0) {
    return absl::DataLossError(
        "malformed ConsumerProtocolSubscription: negative version");
  }
  // Each topic takes at least its 2-byte length.
  const int32_t count = r.ArrayCount(2);
  std::vector<std::string> topics;
  topics.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count && r.status().ok(); ++i) {
    topics.push_back(r.String());
  }
  if (!r.status().ok()) return r.status();
  return topics;
}

std::string EncodeSubscription(const std::vector<std::string>& topics,
                               std::string_view user_data) {
  WireWriter w;
  w.Int16(0);
  w.Int32(static_cast<int32_t>(topics.size()));
  for (const std::string& topic : topics) {
    // Topic names are at most 249 characters; a longer one would be refused
    // by any broker, so it is truncated here rather than failing a helper.
    (void)w.String(std::string_view(topic).substr(0, 32767));
  }
  (void)w.Bytes(user_data);
  return std::move(w).data();
}

}  // namespace rill::group
