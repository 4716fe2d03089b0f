#include "server/handlers.h"

namespace rill::server {

std::unique_ptr<HandlerRegistry> HandlerRegistry::WithAllHandlers() {
  auto registry = std::make_unique<HandlerRegistry>();
  registry->Add(NewApiVersionsHandler(*registry));
  registry->Add(NewMetadataHandler());
  registry->Add(NewProduceHandler());
  registry->Add(NewFetchHandler());
  return registry;
}

}  // namespace rill::server
