// TopicStore: the durable list of topics — partition count, replication
// factor and config overrides — one small .properties file per topic.
//
// On disk: <data_dir>/__rill_metadata/topics/<topic>.topic, written
// atomically (temp file, fsync, rename, fsync dir):
//   partitions=3
//   replication.factor=1
//   config.cleanup.policy=compact
// Topic names are [a-zA-Z0-9._-], so they are safe file names.
#ifndef RILL_BROKER_TOPIC_STORE_H_
#define RILL_BROKER_TOPIC_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/io/file_system.h"

namespace rill::broker {

// TopicRecord is what the store keeps about one topic.
struct TopicRecord {
  std::string name;
  int32_t num_partitions = 0;
  int16_t replication_factor = 1;
  // Topic-level config overrides (Kafka names); the rest are defaults.
  std::map<std::string, std::string> configs;
};

// TopicStore: owned by the broker. Not thread-safe; the broker serializes
// topic administration.
class TopicStore {
 public:
  // `metadata_dir` is created if missing.
  static absl::StatusOr<std::unique_ptr<TopicStore>> Open(
      std::shared_ptr<io::FileSystem> fs, std::string metadata_dir);

  // LoadAll reads every topic; a file that does not parse is kDataLoss
  // naming it (the broker refuses to start rather than lose a topic).
  absl::StatusOr<std::vector<TopicRecord>> LoadAll();
  // Save writes (or replaces) a topic's record durably.
  absl::Status Save(const TopicRecord& topic);
  // Remove deletes a topic's record durably; a missing one is fine.
  absl::Status Remove(std::string_view name);

 private:
  TopicStore(std::shared_ptr<io::FileSystem> fs, std::string dir)
      : fs_(std::move(fs)), dir_(std::move(dir)) {}
  std::string PathOf(std::string_view name) const;

  const std::shared_ptr<io::FileSystem> fs_;
  const std::string dir_;
};

}  // namespace rill::broker

#endif  // RILL_BROKER_TOPIC_STORE_H_
