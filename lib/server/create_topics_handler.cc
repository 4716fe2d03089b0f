// CreateTopics: each topic through Broker::CreateTopic, answered per topic
// with Kafka's error code and, from v1, its message. Counts of -1 take the
// broker's num.partitions / default.replication.factor (v4 clients send
// them; older ones are answered the same way). A manual assignment comes
// with both counts -1 (else INVALID_REQUEST, as Kafka) and must place every
// partition on this broker alone (server/replica_assignment.h). A topic
// named twice in one request is refused (INVALID_REQUEST) both times.
// Creation is synchronous, so the timeout has nothing to wait for.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocol/messages/create_topics.h"
#include "rill/error.h"
#include "server/error_codes.h"
#include "server/handlers.h"
#include "server/replica_assignment.h"
#include "util/status_macros.h"

namespace rill::server {
namespace {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using CreatableTopic = CreateTopicsRequest::CreatableTopic;

// ApplyPlacement sets `out`'s counts from the request's counts or from its
// manual assignment.
absl::Status ApplyPlacement(const CreatableTopic& topic, NodeId node,
                            NewTopic& out) {
  if (topic.assignments.empty()) {
    out.num_partitions = topic.num_partitions;
    out.replication_factor = topic.replication_factor;
    return absl::OkStatus();
  }
  if (topic.num_partitions != -1 || topic.replication_factor != -1) {
    return MakeError(ErrorReason::kInvalidRequest,
                     "a manual partition assignment was given, so "
                     "num_partitions and replication_factor must both be -1");
  }
  std::vector<int32_t> partitions;
  for (const CreateTopicsRequest::CreatableReplicaAssignment& assignment :
       topic.assignments) {
    partitions.push_back(assignment.partition_index);
    RETURN_IF_ERROR(ValidateReplicas(assignment.broker_ids, node));
  }
  RETURN_IF_ERROR(ValidatePartitionIndexes(partitions));
  out.num_partitions = static_cast<int32_t>(topic.assignments.size());
  out.replication_factor = 1;  // every list is [node]
  return absl::OkStatus();
}

absl::StatusOr<NewTopic> ToNewTopic(const CreatableTopic& topic, NodeId node) {
  NewTopic out;
  out.name = topic.name;
  RETURN_IF_ERROR(ApplyPlacement(topic, node, out));
  std::vector<std::string> null_configs;
  for (const CreateTopicsRequest::CreatableTopicConfig& config :
       topic.configs) {
    if (!config.value.has_value()) {
      null_configs.push_back(config.name);
      continue;
    }
    out.configs[config.name] = *config.value;  // the last one wins
  }
  if (!null_configs.empty()) {
    return MakeError(
        ErrorReason::kInvalidConfig,
        absl::StrCat("null value not supported for topic configs: ",
                     absl::StrJoin(null_configs, ",")));
  }
  return out;
}

class CreateTopicsHandler final
    : public TypedHandler<CreateTopicsRequest, CreateTopicsResponse> {
 public:
  CreateTopicsHandler() : TypedHandler(protocol::V("0-4")) {}

  void Handle(const RequestContext& context, CreateTopicsRequest& request,
              Reply<CreateTopicsResponse> reply) override {
    Broker& broker = *context.server.broker;
    std::map<std::string, int> mentions;
    for (const CreatableTopic& topic : request.topics) ++mentions[topic.name];
    CreateTopicsResponse response;
    for (const CreatableTopic& topic : request.topics) {
      absl::Status status;
      if (mentions[topic.name] > 1) {
        status = MakeError(ErrorReason::kInvalidRequest,
                           absl::StrCat("topic '", topic.name,
                                        "' appears more than once in the "
                                        "request"));
      } else {
        absl::StatusOr<NewTopic> new_topic =
            ToNewTopic(topic, broker.node_id());
        status = new_topic.ok()
                     ? broker.CreateTopic(*new_topic, request.validate_only)
                     : new_topic.status();
      }
      CreateTopicsResponse::CreatableTopicResult& result =
          response.topics.emplace_back();
      result.name = topic.name;
      result.error_code = KafkaErrorCode(status);
      result.error_message = KafkaErrorMessage(status);
    }
    std::move(reply)(response);
  }

  std::optional<CreateTopicsResponse> ErrorResponse(
      const RequestContext&, const CreateTopicsRequest& request,
      int16_t error_code) const override {
    CreateTopicsResponse response;
    for (const CreatableTopic& topic : request.topics) {
      response.topics.push_back({.name = topic.name,
                                 .error_code = error_code,
                                 .error_message = std::nullopt});
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewCreateTopicsHandler() {
  return std::make_unique<CreateTopicsHandler>();
}

}  // namespace rill::server
