// DeleteTopics: each named topic through Broker::DeleteTopic, answered per
// topic (UNKNOWN_TOPIC_OR_PARTITION; internal topics are refused). A name
// given twice is deleted once and both entries get that answer. Deletion
// is synchronous, so the timeout has nothing to wait for.
#include <map>
#include <string>

#include "protocol/messages/delete_topics.h"
#include "server/error_codes.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;

class DeleteTopicsHandler final
    : public TypedHandler<DeleteTopicsRequest, DeleteTopicsResponse> {
 public:
  DeleteTopicsHandler() : TypedHandler(protocol::V("0-3")) {}

  void Handle(const RequestContext& context, DeleteTopicsRequest& request,
              Reply<DeleteTopicsResponse> reply) override {
    std::map<std::string, int16_t> outcome;
    DeleteTopicsResponse response;
    for (const std::string& name : request.topic_names) {
      auto [it, first] = outcome.try_emplace(name, kErrorNone);
      if (first) {
        it->second = KafkaErrorCode(context.server.broker->DeleteTopic(name));
      }
      response.responses.push_back({.name = name, .error_code = it->second});
    }
    std::move(reply)(response);
  }

  std::optional<DeleteTopicsResponse> ErrorResponse(
      const RequestContext&, const DeleteTopicsRequest& request,
      int16_t error_code) const override {
    DeleteTopicsResponse response;
    for (const std::string& name : request.topic_names) {
      response.responses.push_back({.name = name, .error_code = error_code});
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<Handler> NewDeleteTopicsHandler() {
  return std::make_unique<DeleteTopicsHandler>();
}

}  // namespace rill::server
