// ApiVersions: the versions of every API in the registry.
#include "protocol/messages/api_versions.h"
#include "server/handlers.h"

namespace rill::server {
namespace {

using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;

class ApiVersionsHandler final
    : public TypedHandler<ApiVersionsRequest, ApiVersionsResponse> {
 public:
  explicit ApiVersionsHandler(const HandlerRegistry& registry)
      : TypedHandler(protocol::V("0-3")), registry_(registry) {}

  void Handle(const RequestContext&, ApiVersionsRequest&,
              Reply<ApiVersionsResponse> reply) override {
    ApiVersionsResponse response;
    response.api_keys = registry_.Advertised();
    std::move(reply)(response);
  }

  // With the versions, so a client told UNSUPPORTED_VERSION can pick one.
  std::optional<ApiVersionsResponse> ErrorResponse(
      const RequestContext&, const ApiVersionsRequest&,
      int16_t error_code) const override {
    ApiVersionsResponse response;
    response.error_code = error_code;
    response.api_keys = registry_.Advertised();
    return response;
  }

 private:
  const HandlerRegistry& registry_;
};

}  // namespace

std::unique_ptr<Handler> NewApiVersionsHandler(
    const HandlerRegistry& registry) {
  return std::make_unique<ApiVersionsHandler>(registry);
}

}  // namespace rill::server
