// Where Kafka clients reach the brokers of the cluster: what Metadata lists
// and FindCoordinator answers.
#ifndef RILL_SERVER_BROKER_ADDRESSES_H_
#define RILL_SERVER_BROKER_ADDRESSES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rill/types.h"
#include "server/request_context.h"

namespace rill::server {

// BrokerAddress is one broker on one listener.
struct BrokerAddress {
  NodeId id = NodeId(-1);
  std::string host = {};
  int32_t port = 0;
};

// ReachableBrokers are the live brokers with an endpoint on the listener the
// request came in on, by id: this broker at this server's advertised
// endpoint (whatever its registration says), the others at the endpoint
// they registered under that listener's name. A broker without one is left
// out, as Kafka leaves it out.
std::vector<BrokerAddress> ReachableBrokers(const RequestContext& context);

// FindBrokerAddress is broker `id`'s entry of ReachableBrokers, if any.
std::optional<BrokerAddress> FindBrokerAddress(const RequestContext& context,
                                               NodeId id);

}  // namespace rill::server

#endif  // RILL_SERVER_BROKER_ADDRESSES_H_
