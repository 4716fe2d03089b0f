// TcpReplicaTransport: ReplicaTransport over Kafka's wire protocol, one
// network thread running every connection.
#include "rill/server/tcp_replica_transport.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "asio.hpp"
#include "server/leader_connection.h"
#include "server/replica_wire.h"

namespace rill {
namespace {

using replication::EpochEndOffsetQuery;
using replication::ReplicaFetchRequest;
using replication::ReplicaTransport;
using server::LeaderConnection;

absl::Status ShutDownError() {
  return absl::CancelledError("the replica transport is shutting down");
}

// Decoded decodes a response body, or says why it could not: a leader that
// answers garbage is as good as unreachable.
template <protocol::Message M>
absl::StatusOr<M> Decoded(absl::StatusOr<protocol::WireReader> body,
                          int16_t version, NodeId leader) {
  if (!body.ok()) return body.status();
  M response;
  if (absl::Status s = protocol::Decode(*body, version, &response); !s.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "malformed answer from broker ", leader.value(), ": ", s.message()));
  }
  return response;
}

TcpReplicaTransportOptions WithDefaults(TcpReplicaTransportOptions options) {
  if (options.logger == nullptr) options.logger = StderrLogger();
  return options;
}

// Impl owns the io_context, its thread and the connections, which only that
// thread touches; the public calls post to it. Shared with the thread, so a
// transport released from one of its own callbacks lives until the thread
// is done with it.
class Impl : public std::enable_shared_from_this<Impl> {
 public:
  explicit Impl(TcpReplicaTransportOptions options)
      : options_(WithDefaults(std::move(options))),
        io_(1),
        work_(asio::make_work_guard(io_)) {}

  void Start() {
    thread_ = std::thread([self = shared_from_this()] {
      // A write to a socket the leader reset must not kill the process.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      self->io_.run();
    });
  }

  // Shutdown answers every waiting call with kCancelled, closes the
  // connections and stops the thread (joined, unless this is it).
  void Shutdown() {
    if (stopping_.exchange(true)) return;
    asio::post(io_, [self = shared_from_this()] {
      for (auto& [pair, connection] : self->connections_) {
        connection->Shutdown(ShutDownError());
      }
      self->connections_.clear();
      // run() returns once the closed sockets' completions have run.
      self->work_.reset();
    });
    if (std::this_thread::get_id() == thread_.get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }

  void Fetch(NodeId from, NodeId leader, ReplicaFetchRequest request,
             ReplicaTransport::FetchCallback done) {
    protocol::FetchRequest wire = server::ToFetchRequest(request);
    // The leader may hold the fetch for max_wait_ms before answering.
    const int64_t timeout_ms =
        options_.request_timeout_ms + std::max<int64_t>(0, request.max_wait_ms);
    Call<protocol::FetchResponse>(
        from, leader, std::move(wire), server::kReplicaFetchVersion, timeout_ms,
        [leader, request = std::move(request)](
            const protocol::FetchResponse& response) {
          return server::FromFetchResponse(request, response, leader);
        },
        std::move(done));
  }

  void OffsetsForLeaderEpoch(NodeId from, NodeId leader,
                             std::vector<EpochEndOffsetQuery> queries,
                             ReplicaTransport::EpochCallback done) {
    protocol::OffsetForLeaderEpochRequest wire =
        server::ToEpochsRequest(from, queries);
    Call<protocol::OffsetForLeaderEpochResponse>(
        from, leader, std::move(wire), server::kReplicaEpochsVersion,
        options_.request_timeout_ms,
        [leader, queries = std::move(queries)](
            const protocol::OffsetForLeaderEpochResponse& response) {
          return server::FromEpochsResponse(queries, response, leader);
        },
        std::move(done));
  }

 private:
  // Call sends `wire` to `leader` at `version` on the io thread, over the
  // connection of `from`, and answers `done` with `answer` applied to the
  // decoded response, or with why there is none.
  template <protocol::Message Response, typename Wire, typename Answer,
            typename Done>
  void Call(NodeId from, NodeId leader, Wire wire, int16_t version,
            int64_t timeout_ms, Answer answer, Done done) {
    if (stopping_.load()) {
      done(ShutDownError());
      return;
    }
    asio::post(io_, [self = shared_from_this(), from, leader,
                     wire = std::move(wire), version, timeout_ms,
                     answer = std::move(answer),
                     done = std::move(done)]() mutable {
      std::shared_ptr<LeaderConnection> connection =
          self->ConnectionTo(from, leader);
      if (connection == nullptr) {
        done(ShutDownError());
        return;
      }
      connection->Send(
          wire, version, timeout_ms,
          [leader, version, answer = std::move(answer), done = std::move(done)](
              absl::StatusOr<protocol::WireReader> body) mutable {
            absl::StatusOr<Response> response =
                Decoded<Response>(std::move(body), version, leader);
            if (!response.ok()) {
              done(response.status());
              return;
            }
            done(answer(*response));
          });
    });
  }

  // ConnectionTo is the connection of `from` to `leader`, made on first
  // use; null once shutting down. On the io thread only.
  std::shared_ptr<LeaderConnection> ConnectionTo(NodeId from, NodeId leader) {
    if (stopping_.load()) return nullptr;
    std::shared_ptr<LeaderConnection>& connection =
        connections_[{from, leader}];
    if (connection == nullptr) {
      connection = std::make_shared<LeaderConnection>(
          io_, server::LeaderConnectionOptions{
                   .from = from,
                   .leader = leader,
                   .resolve = options_.resolve,
                   .listener_name = options_.listener_name,
                   .client_id = options_.client_id,
                   .connect_timeout_ms = options_.connect_timeout_ms,
                   .max_response_bytes = options_.max_response_bytes,
                   .logger = options_.logger});
    }
    return connection;
  }

  const TcpReplicaTransportOptions options_;
  std::atomic<bool> stopping_{false};
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  // On the io thread only.
  std::map<std::pair<NodeId, NodeId>, std::shared_ptr<LeaderConnection>>
      connections_;
};

// TcpReplicaTransport is the handle callers own: releasing it shuts the
// transport down.
class TcpReplicaTransport final : public ReplicaTransport {
 public:
  explicit TcpReplicaTransport(TcpReplicaTransportOptions options)
      : impl_(std::make_shared<Impl>(std::move(options))) {
    impl_->Start();
  }
  ~TcpReplicaTransport() override { impl_->Shutdown(); }
  TcpReplicaTransport(const TcpReplicaTransport&) = delete;
  TcpReplicaTransport& operator=(const TcpReplicaTransport&) = delete;

  void Fetch(NodeId from, NodeId leader, ReplicaFetchRequest request,
             FetchCallback done) override {
    impl_->Fetch(from, leader, std::move(request), std::move(done));
  }
  void OffsetsForLeaderEpoch(NodeId from, NodeId leader,
                             std::vector<EpochEndOffsetQuery> queries,
                             EpochCallback done) override {
    impl_->OffsetsForLeaderEpoch(from, leader, std::move(queries),
                                 std::move(done));
  }

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace

absl::StatusOr<replication::BrokerEndpoint> FindBrokerEndpoint(
    const replication::ClusterImage& image, NodeId id,
    std::string_view listener_name) {
  const replication::BrokerRegistration* broker = image.FindBroker(id);
  if (broker == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("broker ", id.value(), " is not registered"));
  }
  for (const replication::BrokerEndpoint& endpoint : broker->endpoints) {
    if (endpoint.listener_name == listener_name) return endpoint;
  }
  return absl::UnavailableError(absl::StrCat(
      "broker ", id.value(), " has no listener named ",
      absl::string_view(listener_name.data(), listener_name.size())));
}

std::shared_ptr<ReplicaTransport> NewTcpReplicaTransport(
    TcpReplicaTransportOptions options) {
  return std::make_shared<TcpReplicaTransport>(std::move(options));
}

}  // namespace rill
