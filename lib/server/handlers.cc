#include "server/handlers.h"

namespace rill::server {

std::unique_ptr<HandlerRegistry> HandlerRegistry::WithAllHandlers() {
  auto registry = std::make_unique<HandlerRegistry>();
  registry->Add(NewApiVersionsHandler(*registry));
  registry->Add(NewMetadataHandler());
  registry->Add(NewProduceHandler());
  registry->Add(NewFetchHandler());
  registry->Add(NewFindCoordinatorHandler());
  registry->Add(NewJoinGroupHandler());
  registry->Add(NewSyncGroupHandler());
  registry->Add(NewHeartbeatHandler());
  registry->Add(NewLeaveGroupHandler());
  registry->Add(NewOffsetCommitHandler());
  registry->Add(NewOffsetFetchHandler());
  registry->Add(NewDescribeGroupsHandler());
  registry->Add(NewListGroupsHandler());
  registry->Add(NewDeleteGroupsHandler());
  registry->Add(NewOffsetDeleteHandler());
  registry->Add(NewListOffsetsHandler());
  registry->Add(NewOffsetForLeaderEpochHandler());
  registry->Add(NewCreateTopicsHandler());
  registry->Add(NewDeleteTopicsHandler());
  registry->Add(NewDeleteRecordsHandler());
  registry->Add(NewInitProducerIdHandler());
  registry->Add(NewDescribeConfigsHandler());
  registry->Add(NewAlterConfigsHandler());
  registry->Add(NewCreatePartitionsHandler());
  return registry;
}

}  // namespace rill::server
