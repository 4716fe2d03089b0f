#include "server/broker_addresses.h"

#include <algorithm>

namespace rill::server {
namespace {

std::optional<BrokerAddress> OwnAddress(const RequestContext& context) {
  for (const Endpoint& e : context.server.advertised) {
    if (e.listener_name == context.listener_name) {
      return BrokerAddress{.id = context.server.broker->node_id(),
                           .host = e.host,
                           .port = e.port};
    }
  }
  return std::nullopt;
}

std::optional<BrokerAddress> RegisteredAddress(const RequestContext& context,
                                               const ClusterNode& node) {
  for (const replication::BrokerEndpoint& e : node.endpoints) {
    if (e.listener_name == context.listener_name) {
      return BrokerAddress{.id = node.id, .host = e.host, .port = e.port};
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<BrokerAddress> ReachableBrokers(const RequestContext& context) {
  const NodeId self = context.server.broker->node_id();
  std::vector<BrokerAddress> out;
  // A broker answers even before its own registration shows in its
  // metadata (or after it was fenced): the client is talking to it.
  if (std::optional<BrokerAddress> own = OwnAddress(context)) {
    out.push_back(*std::move(own));
  }
  for (const ClusterNode& node : context.server.broker->LiveBrokers()) {
    if (node.id == self) continue;
    if (std::optional<BrokerAddress> a = RegisteredAddress(context, node)) {
      out.push_back(*std::move(a));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const BrokerAddress& a, const BrokerAddress& b) {
              return a.id < b.id;
            });
  return out;
}

std::optional<BrokerAddress> FindBrokerAddress(const RequestContext& context,
                                               NodeId id) {
  if (id == context.server.broker->node_id()) return OwnAddress(context);
  for (const ClusterNode& node : context.server.broker->LiveBrokers()) {
    if (node.id == id) return RegisteredAddress(context, node);
  }
  return std::nullopt;
}

}  // namespace rill::server
