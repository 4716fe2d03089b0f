// EmbeddedCluster::Network: the simulated network of a cluster of several
// brokers (shared by embedded_cluster.cc and embedded_cluster_faults.cc).
#ifndef RILL_TESTING_CLUSTER_NETWORK_H_
#define RILL_TESTING_CLUSTER_NETWORK_H_

#include <memory>
#include <vector>

#include "rill/testing/embedded_cluster.h"
#include "testing/link_fault_transport.h"
#include "testing/linked_metadata.h"
#include "testing/links.h"
#include "util/timer_queue.h"

namespace rill::testing {

// Network is owned by its cluster; what it holds is shared with the
// brokers. Built once, before the brokers; Shutdown before destruction.
struct EmbeddedCluster::Network {
  // Which links are cut or slow; brokers by index, and the controller.
  std::shared_ptr<internal::Links> links = std::make_shared<internal::Links>();
  // Delayed replica traffic and, on real time, the controller's Tick.
  std::unique_ptr<util::TimerQueue> timers;
  // Every broker's replica transport.
  std::shared_ptr<internal::LinkFaultTransport> transport;
  // Broker i's view of the metadata store and of the controller.
  std::vector<std::shared_ptr<internal::LinkedMetadataStore>> stores;
  std::vector<std::shared_ptr<internal::LinkedController>> controllers;

  // Shutdown fails delayed traffic and stops the timer thread.
  void Shutdown() {
    transport->Shutdown();
    timers->Shutdown();
  }
};

}  // namespace rill::testing

#endif  // RILL_TESTING_CLUSTER_NETWORK_H_
