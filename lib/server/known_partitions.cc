#include "server/known_partitions.h"

namespace rill::server {

bool KnownPartitions::Contains(const std::string& topic, int32_t partition) {
  auto it = counts_.find(topic);
  if (it == counts_.end()) {
    absl::StatusOr<TopicDescription> described = broker_.DescribeTopic(topic);
    const int32_t count =
        described.ok() ? static_cast<int32_t>(described->partitions.size()) : 0;
    it = counts_.emplace(topic, count).first;
  }
  return partition >= 0 && partition < it->second;
}

}  // namespace rill::server
