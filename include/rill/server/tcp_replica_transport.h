// rill/server/tcp_replica_transport.h — followers reaching leaders over
// Kafka's wire protocol.
//
// The ReplicaTransport of brokers in different processes (or a test cluster
// that wants the network in the loop): a follower's fetch is a Kafka Fetch
// v11 with the follower's broker id as replica_id and each partition's
// current leader epoch, and its truncation query an OffsetForLeaderEpoch
// v3, both sent to the leader's listener — the one a KafkaServer serves.
// Where a broker listens comes from the cluster metadata, through the
// caller's `resolve`:
//
//   auto transport = rill::NewTcpReplicaTransport(
//       {.resolve = [controller](rill::NodeId id, std::string_view listener) {
//          return rill::FindBrokerEndpoint(*controller->image(), id, listener);
//        }});
//   ASSIGN_OR_RETURN(auto broker, rill::Broker::Open(
//       {.node_id = rill::NodeId(2), ..., .replica_transport = transport}));
//
// Each (follower, leader) pair has one persistent connection; requests on
// it are pipelined and matched to answers by correlation id. A connection
// that fails (refused, reset, closed by the leader, a request past its
// timeout) fails every call waiting on it with kUnavailable, and the next
// call connects again; the caller backs off (replica.fetch.backoff.ms).
// Per-partition errors come back as rill ErrorReasons (the inverse of the
// server's translation table).
#ifndef RILL_SERVER_TCP_REPLICA_TRANSPORT_H_
#define RILL_SERVER_TCP_REPLICA_TRANSPORT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rill/logger.h"
#include "rill/replication/cluster_image.h"
#include "rill/replication/cluster_metadata.h"
#include "rill/replication/replica_transport.h"
#include "rill/types.h"

namespace rill {

// ReplicaEndpointResolver says where broker `id` listens on the listener
// named `listener_name`; an error (unknown broker, no such listener) fails
// the call with kUnavailable. Called from the transport's thread, before
// each connection attempt, so it sees brokers that moved.
using ReplicaEndpointResolver =
    std::function<absl::StatusOr<replication::BrokerEndpoint>(
        NodeId id, std::string_view listener_name)>;

// FindBrokerEndpoint looks broker `id`'s listener `listener_name` up in its
// registration: kUnavailable if the broker is not registered or has no such
// listener.
absl::StatusOr<replication::BrokerEndpoint> FindBrokerEndpoint(
    const replication::ClusterImage& image, NodeId id,
    std::string_view listener_name);

// TcpReplicaTransportOptions create a TCP transport. Names follow Kafka's
// broker configs where there is one.
struct TcpReplicaTransportOptions {
  // Where leaders listen. Required: without it every call fails with
  // kFailedPrecondition.
  ReplicaEndpointResolver resolve = nullptr;
  // inter.broker.listener.name: the listener followers connect to.
  // Default: "PLAINTEXT".
  std::string listener_name = "PLAINTEXT";
  // client.id of every request, as the leader's logs show it.
  // Default: "rill-replica-fetcher".
  std::string client_id = "rill-replica-fetcher";
  // replica.socket.timeout.ms: how long a request may wait for its answer,
  // counted on top of a fetch's max_wait_ms (the leader may hold a fetch
  // that long by design). A request past it closes its connection.
  // Default: 30000.
  int64_t request_timeout_ms = 30'000;
  // socket.connection.setup.timeout.ms: how long a connection attempt
  // (resolution and TCP handshake) may take. Default: 10000.
  int64_t connect_timeout_ms = 10'000;
  // The largest response frame accepted; a larger one closes the
  // connection. It must exceed replica.fetch.response.max.bytes plus the
  // response's own fields. Default: 100 MiB.
  int32_t max_response_bytes = 100 << 20;
  // Where lost connections are reported (connection attempts that fail
  // are kDebug, an established connection lost kWarning).
  // Default: StderrLogger().
  std::shared_ptr<Logger> logger = nullptr;
};

// NewTcpReplicaTransport returns a transport owning one network thread and
// its connections. Thread-safe; callbacks run exactly once, on the
// transport's thread (or the caller's, when the transport is shutting
// down), with no lock of the transport held. Destroying the transport
// closes every connection, answers the calls still waiting with
// kCancelled, and joins its thread.
std::shared_ptr<replication::ReplicaTransport> NewTcpReplicaTransport(
    TcpReplicaTransportOptions options);

}  // namespace rill

#endif  // RILL_SERVER_TCP_REPLICA_TRANSPORT_H_
