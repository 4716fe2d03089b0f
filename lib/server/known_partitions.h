// KnownPartitions: which partitions exist, for the group APIs that answer
// UNKNOWN_TOPIC_OR_PARTITION per partition before asking the coordinator
// (OffsetCommit, OffsetDelete — as Kafka checks its metadata cache).
#ifndef RILL_SERVER_KNOWN_PARTITIONS_H_
#define RILL_SERVER_KNOWN_PARTITIONS_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "rill/broker/broker.h"

namespace rill::server {

// KnownPartitions looks each topic up once per request. Not thread-safe;
// one per request, borrowing the broker for its lifetime.
class KnownPartitions {
 public:
  explicit KnownPartitions(Broker& broker) : broker_(broker) {}
  KnownPartitions(const KnownPartitions&) = delete;
  KnownPartitions& operator=(const KnownPartitions&) = delete;

  // Contains says whether `topic` exists and has partition `partition`.
  bool Contains(const std::string& topic, int32_t partition);

 private:
  Broker& broker_;
  // Partition count per topic looked up; 0 for unknown topics.
  absl::flat_hash_map<std::string, int32_t> counts_;
};

}  // namespace rill::server

#endif  // RILL_SERVER_KNOWN_PARTITIONS_H_
