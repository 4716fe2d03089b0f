// What a handler knows about the server and the request it serves.
#ifndef RILL_SERVER_REQUEST_CONTEXT_H_
#define RILL_SERVER_REQUEST_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/header.h"
#include "rill/broker/broker.h"
#include "rill/logger.h"
#include "rill/server/kafka_server.h"

namespace rill::server {

// ServerContext is what every handler shares: the broker served and how
// the server presents itself. Constant after Serve(); the broker is
// thread-safe.
struct ServerContext {
  Broker* broker = nullptr;
  // Metadata's broker list: this broker at its advertised endpoint.
  std::vector<Endpoint> advertised;
  std::shared_ptr<Logger> logger;
};

// RequestContext is one request's header and origin.
struct RequestContext {
  const ServerContext& server;
  protocol::RequestHeader header;
  // The listener the request came in on (advertised name: PLAINTEXT).
  std::string listener_name;
  // The client's address, "host:port", for logs.
  std::string peer;
  // Nonzero: answer with this Kafka error code instead of serving the
  // request (KafkaServer::InjectErrors; TypedHandler::ErrorResponse).
  int16_t injected_error = 0;
};

}  // namespace rill::server

#endif  // RILL_SERVER_REQUEST_CONTEXT_H_
