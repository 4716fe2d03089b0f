// CreatePartitions: grow each topic through Broker::CreatePartitions,
// answered per topic with Kafka's error and message. The new count must
// exceed the current one (INVALID_PARTITIONS). An assignment, if given,
// has one replica list per new partition, each [this broker]
// (INVALID_REPLICA_ASSIGNMENT otherwise, server/replica_assignment.h). A
// topic named twice is refused (INVALID_REQUEST) both times, as Kafka does.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "protocol/messages/create_partitions.h"
#include "rill/error.h"
#include "server/error_codes.h"
#include "server/handlers.h"
#include "server/replica_assignment.h"
#include "util/status_macros.h"

namespace rill::server {
namespace {

using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;

absl::Status Grow(Broker& broker, const CreatePartitionsRequest::Topic& topic,
                  bool validate_only) {
  // The count first (unknown topic, not an increase), as Kafka checks it.
  RETURN_IF_ERROR(broker.CreatePartitions(topic.name, topic.count,
                                          /*validate_only=*/true));
  if (topic.assignments.has_value()) {
    ASSIGN_OR_RETURN(TopicDescription description,
                     broker.DescribeTopic(topic.name));
    const size_t added =
        static_cast<size_t>(topic.count) - description.partitions.size();
    if (topic.assignments->size() != added) {
      return MakeError(ErrorReason::kInvalidReplicaAssignment,
                       absl::StrCat("attempted to add ", added,
                                    " additional partition(s), but ",
                                    topic.assignments->size(),
                                    " assignment(s) were specified"));
    }
    for (const CreatePartitionsRequest::Assignment& assignment :
         *topic.assignments) {
      RETURN_IF_ERROR(
          ValidateReplicas(assignment.broker_ids, broker.node_id()));
    }
  }
  if (validate_only) return absl::OkStatus();
  return broker.CreatePartitions(topic.name, topic.count, false);
}

class CreatePartitionsHandler final
    : public TypedHandler<CreatePartitionsRequest, CreatePartitionsResponse> {
 public:
  CreatePartitionsHandler() : TypedHandler(protocol::V("0-1")) {}

  void Handle(const RequestContext& context, CreatePartitionsRequest& request,
              Reply<CreatePartitionsResponse> reply) override {
    std::map<std::string, int> mentions;
    for (const auto& topic : request.topics) ++mentions[topic.name];
    CreatePartitionsResponse response;
    for (const CreatePartitionsRequest::Topic& topic : request.topics) {
      const absl::Status status =
          mentions[topic.name] > 1
              ? MakeError(ErrorReason::kInvalidRequest,
                          absl::StrCat("topic '", topic.name,
                                       "' appears more than once in the "
                                       "request"))
              : Grow(*context.server.broker, topic, request.validate_only);
      response.results.push_back({.name = topic.name,
                                  .error_code = KafkaErrorCode(status),
                                  .error_message = KafkaErrorMessage(status)});
    }
    std::move(reply)(response);
  }

  std::optional<CreatePartitionsResponse> ErrorResponse(
      const RequestContext&, const CreatePartitionsRequest& request,
      int16_t error_code) const override {
    CreatePartitionsResponse response;
    for (const CreatePartitionsRequest::Topic& topic : request.topics) {
      response.results.push_back({.name = topic.name,
                                  .error_code = error_code,
                                  .error_message = std::nullopt});
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewCreatePartitionsHandler() {
  return std::make_unique<CreatePartitionsHandler>();
}

}  // namespace rill::server
