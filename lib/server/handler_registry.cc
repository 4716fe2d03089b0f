#include "server/handler_registry.h"

namespace rill::server {

void HandlerRegistry::Add(std::unique_ptr<Handler> handler) {
  const auto key = static_cast<size_t>(handler->api_key());
  handlers_.at(key) = std::move(handler);
}

Handler* HandlerRegistry::Find(int16_t api_key) const {
  if (api_key < 0 || static_cast<size_t>(api_key) >= kMaxApiKey) {
    return nullptr;
  }
  return handlers_[static_cast<size_t>(api_key)].get();
}

std::vector<protocol::ApiVersionsResponse::ApiVersion>
HandlerRegistry::Advertised() const {
  std::vector<protocol::ApiVersionsResponse::ApiVersion> out;
  for (const auto& handler : handlers_) {
    if (handler == nullptr) continue;
    const protocol::Versions v = handler->advertised();
    out.push_back({.api_key = static_cast<int16_t>(handler->api_key()),
                   .min_version = v.min,
                   .max_version = v.max});
  }
  return out;
}

}  // namespace rill::server
