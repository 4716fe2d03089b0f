// rill/client/broker_directory.h — how in-process clients reach the brokers
// of a cluster.
//
// A Producer, Consumer or Admin created over one Broker& talks to that
// broker. Created over a BrokerDirectory, it does what Kafka's clients do
// with bootstrap.servers and metadata: it asks any live broker where each
// partition's leader and each group's coordinator are, sends there, and
// looks again when they move (a broker stops, restarts or is cut off).
//
//   std::shared_ptr<rill::BrokerDirectory> brokers = cluster.directory();
//   ASSIGN_OR_RETURN(auto producer, rill::Producer::Create(brokers, {}));
//
// rill::testing::EmbeddedCluster hands its clients one over its brokers;
// an embedder running several brokers in one process can build one with
// NewBrokerDirectory.
#ifndef RILL_CLIENT_BROKER_DIRECTORY_H_
#define RILL_CLIENT_BROKER_DIRECTORY_H_

#include <functional>
#include <memory>
#include <vector>

#include "rill/broker/broker.h"
#include "rill/types.h"

namespace rill {

// BrokerDirectory finds the brokers of one cluster by node id. Shared
// (std::shared_ptr) by the clients created over it. Implementations must be
// thread-safe, answer without waiting on a broker (clients ask from any of
// their threads), and must return a broker only while it is open: clients
// keep what they get for the length of one call, so a broker that goes
// away is released promptly.
class BrokerDirectory {
 public:
  virtual ~BrokerDirectory() = default;

  // Get returns broker `node`, or null while it is down, restarting or
  // unreachable (clients then look for the new leader or coordinator and
  // retry).
  virtual std::shared_ptr<Broker> Get(NodeId node) = 0;
  // Bootstrap returns the brokers reachable now, in a stable order: where
  // clients send metadata and coordinator lookups (Kafka's
  // bootstrap.servers), trying them in turn.
  virtual std::vector<std::shared_ptr<Broker>> Bootstrap() = 0;
};

// NewSingleBrokerDirectory is a directory of `broker` alone, which the
// caller keeps open for as long as the directory is used (clients created
// over a Broker& use one).
std::shared_ptr<BrokerDirectory> NewSingleBrokerDirectory(Broker& broker);

// NewBrokerDirectory is a directory of the brokers `nodes`, each looked up
// with `find` on every use (null while down). `find` follows the rules of
// BrokerDirectory above.
std::shared_ptr<BrokerDirectory> NewBrokerDirectory(
    std::vector<NodeId> nodes,
    std::function<std::shared_ptr<Broker>(NodeId)> find);

}  // namespace rill

#endif  // RILL_CLIENT_BROKER_DIRECTORY_H_
