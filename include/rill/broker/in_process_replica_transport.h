// rill/broker/in_process_replica_transport.h — followers calling leaders
// in the same process.
//
// The ReplicaTransport of brokers that share a process: a follower's fetch
// is the leader Broker's Fetch (a delayed operation like any other) and the
// fetched bytes are copied once, into the follower's buffer, on their way to
// its log. `find` says which broker answers for an id as seen from another
// (null: unreachable — the broker is down or the link is cut), which is
// where a test cluster injects its network faults.
//
//   auto transport = rill::NewInProcessReplicaTransport(
//       [&](NodeId from, NodeId to) { return cluster.Reachable(from, to); });
#ifndef RILL_BROKER_IN_PROCESS_REPLICA_TRANSPORT_H_
#define RILL_BROKER_IN_PROCESS_REPLICA_TRANSPORT_H_

#include <functional>
#include <memory>

#include "rill/broker/broker.h"
#include "rill/replication/replica_transport.h"

namespace rill {

// BrokerFinder returns the broker `to` as reached from broker `from`, or
// null. Called from any thread.
using BrokerFinder =
    std::function<std::shared_ptr<Broker>(NodeId from, NodeId to)>;

std::shared_ptr<replication::ReplicaTransport> NewInProcessReplicaTransport(
    BrokerFinder find);

}  // namespace rill

#endif  // RILL_BROKER_IN_PROCESS_REPLICA_TRANSPORT_H_
