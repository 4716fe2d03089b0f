// Metadata (key 3): brokers, controller, cluster id, and each topic's
// partitions with their leaders and replicas. Which topics: in v0 an empty
// array means all of them; from v1 a null array means all and an empty one
// none. From v4 the client says whether a request may auto-create topics.
#ifndef RILL_PROTOCOL_MESSAGES_METADATA_H_
#define RILL_PROTOCOL_MESSAGES_METADATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/field.h"

namespace rill::protocol {

struct MetadataRequest {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  static constexpr Versions kVersions = V("0-6");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Topic {
    std::string name;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::name, "0+")};
    }
  };

  // See the top of the file for what empty and null mean per version.
  std::optional<std::vector<Topic>> topics = std::vector<Topic>{};
  bool allow_auto_topic_creation = true;

  static constexpr auto Fields() {
    using M = MetadataRequest;
    return std::tuple{F(&M::topics, "0+", {.nullable = "1+"}),
                      F(&M::allow_auto_topic_creation, "4+")};
  }
};

struct MetadataResponse {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  static constexpr Versions kVersions = V("0-6");
  static constexpr Versions kFlexibleVersions = V("none");

  struct Broker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack = std::nullopt;
    static constexpr auto Fields() {
      using M = Broker;
      return std::tuple{F(&M::node_id, "0+"), F(&M::host, "0+"),
                        F(&M::port, "0+"),
                        F(&M::rack, "1+", {.nullable = "1+"})};
    }
  };

  struct Partition {
    int16_t error_code = 0;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::vector<int32_t> offline_replicas;
    static constexpr auto Fields() {
      using M = Partition;
      return std::tuple{F(&M::error_code, "0+"), F(&M::partition_index, "0+"),
                        F(&M::leader_id, "0+"),  F(&M::replica_nodes, "0+"),
                        F(&M::isr_nodes, "0+"),  F(&M::offline_replicas, "5+")};
    }
  };

  struct Topic {
    int16_t error_code = 0;
    std::string name;
    bool is_internal = false;
    std::vector<Partition> partitions;
    static constexpr auto Fields() {
      using M = Topic;
      return std::tuple{F(&M::error_code, "0+"), F(&M::name, "0+"),
                        F(&M::is_internal, "1+"), F(&M::partitions, "0+")};
    }
  };

  int32_t throttle_time_ms = 0;
  std::vector<Broker> brokers;
  std::optional<std::string> cluster_id = std::nullopt;
  int32_t controller_id = -1;
  std::vector<Topic> topics;

  static constexpr auto Fields() {
    using M = MetadataResponse;
    return std::tuple{F(&M::throttle_time_ms, "3+"), F(&M::brokers, "0+"),
                      F(&M::cluster_id, "2+", {.nullable = "2+"}),
                      F(&M::controller_id, "1+"), F(&M::topics, "0+")};
  }
};

// Encode and Decode for both are compiled once, in metadata.cc.
RILL_PROTOCOL_EXTERN_CODEC(MetadataRequest);
RILL_PROTOCOL_EXTERN_CODEC(MetadataResponse);

}  // namespace rill::protocol

#endif  // RILL_PROTOCOL_MESSAGES_METADATA_H_
