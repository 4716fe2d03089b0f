// metadata_samples.h — valid metadata batches that use every record type,
// for the codec and store tests, and a listener that records versions.
#ifndef RILL_TESTS_REPLICATION_METADATA_SAMPLES_H_
#define RILL_TESTS_REPLICATION_METADATA_SAMPLES_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rill/replication/cluster_image.h"
#include "rill/replication/cluster_metadata.h"
#include "rill/replication/metadata_store.h"

namespace rill::replication::test {

// SampleId is a topic id made from `n`, never zero.
inline Uuid SampleId(uint8_t n) {
  Uuid id;
  id.bytes[0] = 0x5a;
  id.bytes[15] = n;
  return id;
}

// SamplePartition: fully in sync, led by `leader`.
inline PartitionState SamplePartition(std::initializer_list<int32_t> replicas,
                                      int32_t leader) {
  PartitionState p;
  for (int32_t r : replicas) p.replicas.push_back(NodeId(r));
  p.isr = p.replicas;
  p.leader = NodeId(leader);
  return p;
}

// SampleTopic is a topic named `name` with id SampleId(n) and `partitions`
// partitions on brokers 1 and 2.
inline TopicState SampleTopic(const std::string& name, uint8_t n,
                              int partitions) {
  TopicState topic{.name = name,
                   .id = SampleId(n),
                   .internal = false,
                   .configs = {{"cleanup.policy", "delete"},
                               {"retention.ms", std::to_string(1000 * n)}},
                   .partitions = {}};
  for (int i = 0; i < partitions; ++i) {
    topic.partitions.push_back(i % 2 == 0 ? SamplePartition({1, 2}, 1)
                                          : SamplePartition({2, 1}, 2));
  }
  return topic;
}

// SampleBatches apply in order from the empty image and use every record
// type.
inline std::vector<std::vector<MetadataRecord>> SampleBatches() {
  PartitionState shrunk = SamplePartition({1, 2}, 1);
  shrunk.isr = {NodeId(1)};
  shrunk.leader_epoch = LeaderEpoch(1);
  shrunk.partition_epoch = 1;
  TopicState offsets = SampleTopic("__consumer_offsets", 2, 3);
  offsets.internal = true;
  return {
      {RegisterBrokerRecord{.id = NodeId(1),
                            .epoch = 0,
                            .endpoints = {{.listener_name = "PLAINTEXT",
                                           .host = "127.0.0.1",
                                           .port = 9092},
                                          {.listener_name = "INTERNAL",
                                           .host = "broker-1.local",
                                           .port = 19092}},
                            .fenced = true},
       UnfenceBrokerRecord{.id = NodeId(1), .epoch = 0}},
      {RegisterBrokerRecord{.id = NodeId(2),
                            .epoch = 2,
                            .endpoints = {{.listener_name = "PLAINTEXT",
                                           .host = "127.0.0.2",
                                           .port = 9092}},
                            .fenced = false}},
      {CreateTopicRecord{.topic = SampleTopic("orders", 1, 2)}},
      {CreateTopicRecord{.topic = offsets}},
      {ChangePartitionRecord{.topic_id = SampleId(1),
                             .partition = PartitionId(0),
                             .state = shrunk}},
      {AddPartitionsRecord{.topic_id = SampleId(1),
                           .partitions = {SamplePartition({2}, 2)}}},
      {ChangeTopicConfigRecord{
          .topic_id = SampleId(1),
          .configs = {{"retention.ms", "5000"}, {"segment.bytes", "1048576"}}}},
      {CreateTopicRecord{.topic = SampleTopic("doomed", 3, 1)},
       DeleteTopicRecord{.topic_id = SampleId(3)}},
      {FenceBrokerRecord{.id = NodeId(2), .epoch = 2}},
      {RegisterBrokerRecord{.id = NodeId(3), .epoch = 12},
       UnregisterBrokerRecord{.id = NodeId(3), .epoch = 12}},
      {CreateTopicRecord{.topic = SampleTopic("payments", 4, 4)}},
  };
}

// MoreBatches returns `count` further valid batches after SampleBatches(),
// each creating one topic (ids from 10 on).
inline std::vector<std::vector<MetadataRecord>> MoreBatches(int count) {
  std::vector<std::vector<MetadataRecord>> batches;
  for (int i = 0; i < count; ++i) {
    batches.push_back({CreateTopicRecord{
        .topic = SampleTopic("topic-" + std::to_string(i),
                             static_cast<uint8_t>(10 + i), 1 + i % 3)}});
  }
  return batches;
}

// ImagesAfter returns the image after each batch: [0] is the empty image.
inline std::vector<ClusterImage> ImagesAfter(
    const std::vector<std::vector<MetadataRecord>>& batches) {
  std::vector<ClusterImage> images(1);
  for (const auto& batch : batches) {
    absl::StatusOr<ClusterImage> next = images.back().Apply(batch);
    REQUIRE(next.ok());
    images.push_back(*std::move(next));
  }
  return images;
}

// Versions records the versions a listener saw.
struct Versions {
  absl::Mutex mu;
  std::vector<int64_t> seen ABSL_GUARDED_BY(mu);

  MetadataStore::Listener Listener() {
    return [this](const std::shared_ptr<const ClusterImage>& image) {
      absl::MutexLock lock(&mu);
      seen.push_back(image->version());
    };
  }
  std::vector<int64_t> Get() {
    absl::MutexLock lock(&mu);
    return seen;
  }
};

}  // namespace rill::replication::test

#endif  // RILL_TESTS_REPLICATION_METADATA_SAMPLES_H_
