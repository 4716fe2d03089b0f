// HandlerRegistry: the one list of APIs the server answers.
#ifndef RILL_SERVER_HANDLER_REGISTRY_H_
#define RILL_SERVER_HANDLER_REGISTRY_H_

#include <array>
#include <memory>
#include <vector>

#include "protocol/messages/api_versions.h"
#include "server/handler.h"

namespace rill::server {

// HandlerRegistry owns one handler per API key. Built before serving and
// constant after, so lookups are thread-safe.
class HandlerRegistry {
 public:
  // WithAllHandlers returns a registry of every API rill serves
  // (handlers.cc lists them).
  static std::unique_ptr<HandlerRegistry> WithAllHandlers();

  // Add registers `handler`, replacing one for the same key.
  void Add(std::unique_ptr<Handler> handler);
  // Find returns the handler for `api_key`, or null.
  Handler* Find(int16_t api_key) const;
  // Advertised lists every key with its versions, as ApiVersions reports.
  std::vector<protocol::ApiVersionsResponse::ApiVersion> Advertised() const;

 private:
  static constexpr size_t kMaxApiKey = 128;
  std::array<std::unique_ptr<Handler>, kMaxApiKey> handlers_;
};

}  // namespace rill::server

#endif  // RILL_SERVER_HANDLER_REGISTRY_H_
