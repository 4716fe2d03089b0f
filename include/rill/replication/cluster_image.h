// rill/replication/cluster_image.h — the cluster's metadata at one version.
//
// A ClusterImage is what the metadata log yields up to some record: the
// registered brokers and the topics with their partitions. It is immutable;
// Apply returns the next image, so readers hold a snapshot as long as they
// like while the controller moves on. Replaying the same records from an
// empty image gives an equal image, which is what lets a replicated log
// stand in for the in-process store later.
//
//   ASSIGN_OR_RETURN(ClusterImage next, image.Apply(records));
//   if (const PartitionState* p = next.FindPartition(tp); p && p->has_leader())
//     Follow(p->leader);
#ifndef RILL_REPLICATION_CLUSTER_IMAGE_H_
#define RILL_REPLICATION_CLUSTER_IMAGE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/replication/cluster_metadata.h"
#include "rill/types.h"
#include "rill/uuid.h"

namespace rill::replication {
namespace internal {
class ImageBuilder;
}  // namespace internal

// ClusterImage is an immutable value (topics are shared between versions,
// so copying one is cheap). Thread-safe: it never changes.
class ClusterImage {
 public:
  using TopicMap =
      std::map<std::string, std::shared_ptr<const TopicState>, std::less<>>;

  // An empty cluster at version 0.
  ClusterImage() = default;

  // Replay applies `records` to an empty image.
  static absl::StatusOr<ClusterImage> Replay(
      std::span<const MetadataRecord> records);

  // Apply returns this image with `records` applied in order; the version
  // grows by one per record. A record that does not fit (a topic that does
  // not exist, an epoch that goes back) is kFailedPrecondition naming it,
  // and nothing is applied.
  absl::StatusOr<ClusterImage> Apply(
      std::span<const MetadataRecord> records) const;
  absl::StatusOr<ClusterImage> Apply(const MetadataRecord& record) const {
    return Apply(std::span<const MetadataRecord>(&record, 1));
  }

  // SnapshotRecords returns records that rebuild this image's brokers and
  // topics from the empty image: a RegisterBrokerRecord per broker (its
  // epoch, endpoints and fencing as they are now) and a CreateTopicRecord
  // per topic (its partitions as they are now), in id and name order. A
  // store keeps them with version() to restart from (see FromSnapshot).
  std::vector<MetadataRecord> SnapshotRecords() const;

  // FromSnapshot rebuilds an image from the SnapshotRecords() of an image at
  // `version`: the records are replayed from the empty image and the result
  // takes `version`, so the image equals the one they came from. The
  // replay's kFailedPrecondition if a record does not apply; kInvalidArgument
  // if there are more records than `version` (each broker and topic took a
  // record to make).
  static absl::StatusOr<ClusterImage> FromSnapshot(
      int64_t version, std::span<const MetadataRecord> records);

  // version is the number of records applied since the empty image.
  int64_t version() const { return version_; }
  // brokers are every registered broker, fenced or not, by id.
  const std::map<NodeId, BrokerRegistration>& brokers() const {
    return brokers_;
  }
  // topics are every topic by name.
  const TopicMap& topics() const { return topics_; }

  // FindBroker returns a registered broker, or null.
  const BrokerRegistration* FindBroker(NodeId id) const;
  // IsLive: registered and not fenced.
  bool IsLive(NodeId id) const;
  // LiveBrokers lists the live brokers in id order.
  std::vector<NodeId> LiveBrokers() const;
  // FindTopic returns a topic by name, or null.
  const TopicState* FindTopic(std::string_view name) const;
  // FindTopicById returns a topic by id, or null.
  const TopicState* FindTopicById(const Uuid& id) const;
  // FindPartition returns a partition's state, or null.
  const PartitionState* FindPartition(const TopicPartition& tp) const;
  // PartitionsLedBy lists the partitions `id` leads, in topic order.
  std::vector<TopicPartition> PartitionsLedBy(NodeId id) const;
  // PartitionsOn lists the partitions with a replica on `id`.
  std::vector<TopicPartition> PartitionsOn(NodeId id) const;

  // Equal images have the same version, brokers and topics.
  friend bool operator==(const ClusterImage& a, const ClusterImage& b);

 private:
  // ImageBuilder (cluster_image.cc) applies records to a copy.
  friend class internal::ImageBuilder;

  int64_t version_ = 0;
  std::map<NodeId, BrokerRegistration> brokers_;
  TopicMap topics_;
  std::map<Uuid, std::string> names_by_id_;
};

}  // namespace rill::replication

#endif  // RILL_REPLICATION_CLUSTER_IMAGE_H_
