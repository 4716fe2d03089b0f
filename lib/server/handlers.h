// One factory per Kafka API the server answers. HandlerRegistry::
// WithAllHandlers (handlers.cc) is the single list of them; each lives in
// its own <api>_handler.cc.
#ifndef RILL_SERVER_HANDLERS_H_
#define RILL_SERVER_HANDLERS_H_

#include <memory>

#include "server/handler.h"
#include "server/handler_registry.h"

namespace rill::server {

std::unique_ptr<Handler> NewApiVersionsHandler(const HandlerRegistry& registry);
std::unique_ptr<Handler> NewMetadataHandler();
std::unique_ptr<Handler> NewProduceHandler();
std::unique_ptr<Handler> NewFetchHandler();
std::unique_ptr<Handler> NewFindCoordinatorHandler();
std::unique_ptr<Handler> NewJoinGroupHandler();
std::unique_ptr<Handler> NewSyncGroupHandler();
std::unique_ptr<Handler> NewHeartbeatHandler();
std::unique_ptr<Handler> NewLeaveGroupHandler();
std::unique_ptr<Handler> NewOffsetCommitHandler();
std::unique_ptr<Handler> NewOffsetFetchHandler();
std::unique_ptr<Handler> NewDescribeGroupsHandler();
std::unique_ptr<Handler> NewListGroupsHandler();
std::unique_ptr<Handler> NewDeleteGroupsHandler();
std::unique_ptr<Handler> NewOffsetDeleteHandler();
std::unique_ptr<Handler> NewListOffsetsHandler();
std::unique_ptr<Handler> NewOffsetForLeaderEpochHandler();
std::unique_ptr<Handler> NewCreateTopicsHandler();
std::unique_ptr<Handler> NewDeleteTopicsHandler();
std::unique_ptr<Handler> NewDeleteRecordsHandler();
std::unique_ptr<Handler> NewInitProducerIdHandler();
std::unique_ptr<Handler> NewDescribeConfigsHandler();
std::unique_ptr<Handler> NewAlterConfigsHandler();
std::unique_ptr<Handler> NewCreatePartitionsHandler();

}  // namespace rill::server

#endif  // RILL_SERVER_HANDLERS_H_
