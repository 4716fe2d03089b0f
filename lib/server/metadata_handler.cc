// Metadata: the live brokers, controller, cluster id, and each topic's
// partitions with leaders, replicas and ISRs. Unknown topics are created when
// both the client (allow_auto_topic_creation) and the broker
// (auto.create.topics.enable) allow it, as Kafka does.
#include "protocol/messages/metadata.h"
#include "rill/error.h"
#include "server/broker_addresses.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::MetadataRequest;
using protocol::MetadataResponse;

MetadataResponse::Topic DescribeTopic(Broker& broker, const std::string& name,
                                      bool auto_create) {
  MetadataResponse::Topic out;
  out.name = name;
  absl::StatusOr<TopicDescription> topic = broker.DescribeTopic(name);
  if (!topic.ok() && auto_create &&
      HasErrorReason(topic.status(), ErrorReason::kUnknownTopicOrPartition)) {
    absl::Status created = broker.CreateTopic({.name = name});
    if (created.ok() ||
        HasErrorReason(created, ErrorReason::kTopicAlreadyExists)) {
      topic = broker.DescribeTopic(name);
    } else {
      topic = created;
    }
  }
  if (!topic.ok()) {
    out.error_code = KafkaErrorCode(topic.status());
    return out;
  }
  out.is_internal = topic->internal;
  for (const PartitionDescription& p : topic->partitions) {
    MetadataResponse::Partition& partition = out.partitions.emplace_back();
    partition.partition_index = p.partition.value();
    partition.leader_id = p.leader.value();
    for (NodeId id : p.replicas) partition.replica_nodes.push_back(id.value());
    for (NodeId id : p.isr) partition.isr_nodes.push_back(id.value());
    if (p.leader.value() < 0) {
      partition.error_code =
          KafkaErrorCodeFor(ErrorReason::kLeaderNotAvailable);
    }
  }
  return out;
}

// Skeleton is a response with the live brokers this client can reach, the
// cluster id and the controller, and no topics.
MetadataResponse Skeleton(const RequestContext& context) {
  Broker& broker = *context.server.broker;
  MetadataResponse response;
  for (BrokerAddress& b : ReachableBrokers(context)) {
    response.brokers.push_back({.node_id = b.id.value(),
                                .host = std::move(b.host),
                                .port = b.port,
                                .rack = std::nullopt});
  }
  response.cluster_id = broker.cluster_id();
  // The controller is not a broker clients can reach; like a KRaft broker,
  // name a live broker (this one).
  response.controller_id = broker.node_id().value();
  return response;
}

// AllTopics: the request asks for every topic. v0: an empty list means
// every topic; v1+: null does.
bool AllTopics(const MetadataRequest& request, int16_t version) {
  return !request.topics.has_value() ||
         (version == 0 && request.topics->empty());
}

class MetadataHandler final
    : public TypedHandler<MetadataRequest, MetadataResponse> {
 public:
  MetadataHandler() : TypedHandler(protocol::V("0-6")) {}

  void Handle(const RequestContext& context, MetadataRequest& request,
              Reply<MetadataResponse> reply) override {
    Broker& broker = *context.server.broker;
    MetadataResponse response = Skeleton(context);
    if (AllTopics(request, reply.version())) {
      for (const std::string& name : broker.ListTopics(true)) {
        response.topics.push_back(DescribeTopic(broker, name, false));
      }
    } else {
      const bool auto_create = request.allow_auto_topic_creation &&
                               broker.options().auto_create_topics_enable;
      for (const MetadataRequest::Topic& topic : *request.topics) {
        response.topics.push_back(
            DescribeTopic(broker, topic.name, auto_create));
      }
    }
    std::move(reply)(response);
  }

  // The broker list stays (a client keeps its view of the cluster); every
  // topic asked for, or every topic there is, carries the code and no
  // partitions. Metadata has no top-level error field.
  std::optional<MetadataResponse> ErrorResponse(
      const RequestContext& context, const MetadataRequest& request,
      int16_t error_code) const override {
    Broker& broker = *context.server.broker;
    MetadataResponse response = Skeleton(context);
    std::vector<std::string> names;
    if (AllTopics(request, context.header.api_version)) {
      names = broker.ListTopics(true);
    } else {
      for (const MetadataRequest::Topic& topic : *request.topics) {
        names.push_back(topic.name);
      }
    }
    for (std::string& name : names) {
      MetadataResponse::Topic& topic = response.topics.emplace_back();
      topic.error_code = error_code;
      topic.name = std::move(name);
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewMetadataHandler() {
  return std::make_unique<MetadataHandler>();
}

}  // namespace rill::server
