// rill/server/kafka_server.h — a Broker on TCP, speaking Kafka's protocol.
//
// KafkaServer exposes an in-process rill::Broker to unmodified Kafka clients
// (librdkafka, kcat, kafka-python, confluent-kafka, ...). Binding and serving
// are separate steps, so listeners can take OS-chosen ports before the
// broker they serve exists (what EmbeddedCluster does):
//
//   ASSIGN_OR_RETURN(auto server, rill::KafkaServer::Bind(
//       {.listeners = {"PLAINTEXT://127.0.0.1:0"}}));
//   std::string bootstrap = server->bootstrap_servers();  // "127.0.0.1:40521"
//   ASSIGN_OR_RETURN(auto broker, rill::Broker::Open({...}));
//   RETURN_IF_ERROR(server->Serve(*broker));
//   ...
//   server->Shutdown();   // finishes in-flight requests, closes connections
//   RETURN_IF_ERROR(broker->Close());
#ifndef RILL_SERVER_KAFKA_SERVER_H_
#define RILL_SERVER_KAFKA_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/broker/broker.h"
#include "rill/logger.h"

namespace rill {

// Endpoint is one listener's address: Kafka's "NAME://host:port".
struct Endpoint {
  // The listener name (PLAINTEXT). Default: PLAINTEXT.
  std::string listener_name = "PLAINTEXT";
  std::string host = "127.0.0.1";
  // 0 in a listener spec: the OS picks a free port at Bind.
  int port = 9092;

  // ParseEndpoint reads "PLAINTEXT://host:port" (also "host:port", and
  // "[::1]:port" for IPv6); an empty host means every interface.
  static absl::StatusOr<Endpoint> Parse(std::string_view spec);
  // ToString is "NAME://host:port".
  std::string ToString() const;
  // HostPort is "host:port", as a bootstrap.servers entry.
  std::string HostPort() const;
};

// KafkaServerOptions configure a KafkaServer. Names follow Kafka's broker
// configs.
struct KafkaServerOptions {
  // listeners: where to accept connections. Port 0 picks a free port.
  // Default: PLAINTEXT://127.0.0.1:9092.
  std::vector<std::string> listeners = {"PLAINTEXT://127.0.0.1:9092"};
  // advertised.listeners: what Metadata tells clients to connect to, by
  // listener name. Empty: the bound listeners (with their actual ports).
  // Default: empty.
  std::vector<std::string> advertised_listeners = {};
  // num.network.threads: threads running the connections' I/O and the
  // request handlers; each connection stays on one, given out in turn.
  // 0 picks one per two hardware threads, from 1 to 8: the network threads
  // share the machine with the application and its clients, and on two
  // cores one thread answers a produce and the fetch it wakes with fewer
  // hand-overs (bench/README.md, wire_bench). Default: 0.
  int num_network_threads = 0;
  // socket.request.max.bytes: a request frame larger than this closes the
  // connection. Default: 100 MiB.
  int32_t socket_request_max_bytes = 100 * 1024 * 1024;
  // connections.max.idle.ms: a connection with no request in flight and no
  // traffic for this long is closed. Default: 10 minutes.
  int64_t connections_max_idle_ms = 600'000;
  // queued.max.requests: requests read ahead of their answers on one
  // connection (pipelining depth); reading pauses beyond it. Default: 500.
  int queued_max_requests = 500;
  // Where connection errors and start/stop go. Default: StderrLogger().
  std::shared_ptr<Logger> logger = nullptr;
};

// KafkaServer owns its listeners, connections and network threads; it
// borrows the Broker, which must outlive Shutdown(). Thread-safe.
class KafkaServer {
 public:
  // Bind opens every listener (accepting starts at Serve). Fails with the
  // address that could not be bound.
  static absl::StatusOr<std::unique_ptr<KafkaServer>> Bind(
      KafkaServerOptions options);
  virtual ~KafkaServer() = default;

  // endpoints are the bound listeners, with their actual ports.
  virtual std::vector<Endpoint> endpoints() const = 0;
  // advertised_endpoints are what Metadata reports.
  virtual std::vector<Endpoint> advertised_endpoints() const = 0;
  // bootstrap_servers is "host:port[,host:port...]" of the bound
  // listeners, for a client's bootstrap.servers.
  virtual std::string bootstrap_servers() const = 0;

  // Serve starts accepting connections and answering them from `broker`.
  // Call once.
  virtual absl::Status Serve(Broker& broker) = 0;

  // Shutdown stops accepting, answers the requests already read, closes
  // every connection and joins the network threads. Idempotent; the
  // destructor calls it.
  virtual void Shutdown() = 0;

  // InjectErrors makes the next error_codes.size() requests of API
  // `api_key` that reach this server (from any connection, in the order
  // they arrive) fail with error_codes[0], [1], ... in turn, for tests of
  // how clients cope (as librdkafka's rd_kafka_mock_push_request_errors):
  //
  //   // The next two produce requests get NOT_LEADER_OR_FOLLOWER (6);
  //   // the producer's retry after them is served.
  //   RETURN_IF_ERROR(server->InjectErrors(0 /* Produce */, {6, 6}));
  //
  // A failed request is not served (the broker never sees it: an injected
  // produce appends nothing) but answered as Kafka answers a request that
  // failed as a whole: the code in the top-level error field where the API
  // has one and in each topic, partition, group or resource the request
  // named (Metadata: each topic named, or every topic). An acks=0 produce
  // gets no answer and its connection is closed. A 0 in `error_codes` lets
  // that one request be served. Codes queue after those already injected.
  // kInvalidArgument for an API key this server does not serve. May be
  // called before Serve.
  virtual absl::Status InjectErrors(int16_t api_key,
                                    std::vector<int16_t> error_codes) = 0;
  // ClearInjectedErrors drops the codes not yet used, for every API.
  virtual void ClearInjectedErrors() = 0;
};

}  // namespace rill

#endif  // RILL_SERVER_KAFKA_SERVER_H_
