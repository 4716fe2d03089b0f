#include "rill/server/kafka_server.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "asio.hpp"
#include "server/connection.h"
#include "server/handler_registry.h"
#include "server/injected_errors.h"
#include "server/request_context.h"
#include "util/status_macros.h"

namespace rill {
namespace {

using asio::ip::tcp;

// How long Shutdown lets in-flight requests finish before it closes their
// connections anyway (a JoinGroup may wait minutes for other members).
constexpr auto kDrainTimeout = std::chrono::seconds(5);

// Reachable is `bound` as a client can dial it: a wildcard address
// ("every interface") becomes loopback.
Endpoint Reachable(Endpoint bound) {
  if (bound.host.empty() || bound.host == "0.0.0.0") bound.host = "127.0.0.1";
  if (bound.host == "::") bound.host = "::1";
  return bound;
}

// DefaultNetworkThreads is num.network.threads left at 0: one per two
// hardware threads, from 1 to 8.
int DefaultNetworkThreads() {
  const int hardware = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(hardware / 2, 1, 8);
}

struct Listener {
  Endpoint bound;
  std::unique_ptr<tcp::acceptor> acceptor;
};

// KafkaServerImpl: num.network.threads network threads, each running an
// io_context of its own (as Kafka's processors own their connections).
// A connection lives on one of them, given out in turn; the acceptors live
// on the first. Nothing is handed between threads inside asio, and an
// append answers a parked fetch of a connection on its own thread at once
// (ConnectionLink::Deliver). Thread-safe.
class KafkaServerImpl final : public KafkaServer {
 public:
  explicit KafkaServerImpl(KafkaServerOptions options)
      : options_(std::move(options)),
        registry_(server::HandlerRegistry::WithAllHandlers()) {
    if (options_.logger == nullptr) options_.logger = StderrLogger();
    const int threads = options_.num_network_threads > 0
                            ? options_.num_network_threads
                            : DefaultNetworkThreads();
    for (int i = 0; i < threads; ++i) {
      // Concurrency hint 1: one thread runs it, so asio never wakes
      // another to share its work.
      contexts_.push_back(std::make_unique<asio::io_context>(1));
    }
  }
  ~KafkaServerImpl() override { Shutdown(); }

  absl::Status BindAll() {
    for (const std::string& spec : options_.listeners) {
      ASSIGN_OR_RETURN(Endpoint endpoint, Endpoint::Parse(spec));
      asio::error_code error;
      auto address = endpoint.host.empty()
                         ? asio::ip::address(asio::ip::address_v4::any())
                         : asio::ip::make_address(endpoint.host, error);
      if (error) {
        return absl::InvalidArgumentError(
            absl::StrCat("listener ", spec, ": ", error.message()));
      }
      tcp::endpoint where(address, static_cast<uint16_t>(endpoint.port));
      auto acceptor = std::make_unique<tcp::acceptor>(*contexts_.front());
      acceptor->open(where.protocol(), error);
      if (!error)
        acceptor->set_option(tcp::acceptor::reuse_address(true), error);
      if (!error) acceptor->bind(where, error);
      if (!error)
        acceptor->listen(asio::socket_base::max_listen_connections, error);
      if (error) {
        return absl::UnavailableError(absl::StrCat(
            "cannot listen on ", endpoint.ToString(), ": ", error.message()));
      }
      endpoint.port = acceptor->local_endpoint().port();
      listeners_.push_back({std::move(endpoint), std::move(acceptor)});
    }
    if (listeners_.empty()) {
      return absl::InvalidArgumentError("no listeners configured");
    }
    return ResolveAdvertised();
  }

  std::vector<Endpoint> endpoints() const override {
    std::vector<Endpoint> out;
    for (const Listener& l : listeners_) out.push_back(l.bound);
    return out;
  }
  std::vector<Endpoint> advertised_endpoints() const override {
    return advertised_;
  }
  std::string bootstrap_servers() const override {
    std::vector<std::string> parts;
    for (const Listener& l : listeners_) {
      parts.push_back(Reachable(l.bound).HostPort());
    }
    return absl::StrJoin(parts, ",");
  }

  absl::Status Serve(Broker& broker) override {
    {
      absl::MutexLock lock(&mu_);
      if (serving_ || shut_down_) {
        return absl::FailedPreconditionError("Serve may be called once");
      }
      serving_ = true;
    }
    context_.broker = &broker;
    context_.advertised = advertised_;
    context_.logger = options_.logger;
    for (Listener& l : listeners_) Accept(l);
    for (auto& context : contexts_) {
      // Runs until Shutdown stops it, with or without connections.
      work_.push_back(asio::make_work_guard(*context));
      threads_.emplace_back([context = context.get()] {
        // sendfile(2) to a socket the client closed raises SIGPIPE, which
        // would kill the embedding process; on these threads it is blocked
        // (a write error is reported instead).
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        context->run();
      });
    }
    options_.logger->Log(LogLevel::kInfo,
                         absl::StrCat("serving node ", broker.node_id().value(),
                                      " on ", bootstrap_servers()));
    return absl::OkStatus();
  }

  void Shutdown() override {
    bool was_serving;
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_) return;
      shut_down_ = true;
      was_serving = serving_;
    }
    if (!was_serving) return;  // nothing accepted, nothing running
    // Stop accepting. Waiting for it on a network thread means every accept
    // that completed before is adopted (or, seeing shut_down_, closed) by
    // the time the connections are listed below.
    absl::Notification acceptors_closed;
    asio::post(*contexts_.front(), [this, &acceptors_closed] {
      for (Listener& l : listeners_) {
        asio::error_code ignored;
        l.acceptor->close(ignored);
      }
      acceptors_closed.Notify();
    });
    acceptors_closed.WaitForNotification();
    // Let every connection answer what its client has sent, for a while.
    for (const auto& connection : Connections()) connection->Drain();
    AwaitNoConnections(kDrainTimeout);
    // Then close the rest (a JoinGroup may wait minutes for other members).
    for (const auto& connection : Connections()) connection->Close();
    AwaitNoConnections(kDrainTimeout);
    // Broker callbacks that fire from now on find their connection gone.
    for (const auto& connection : Connections()) connection->link()->Detach();
    for (auto& context : contexts_) context->stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    absl::MutexLock lock(&mu_);
    connections_.clear();
  }

  absl::Status InjectErrors(int16_t api_key,
                            std::vector<int16_t> error_codes) override {
    if (registry_->Find(api_key) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot inject errors into API key ", api_key,
                       ": this server does not serve it"));
    }
    injected_errors_.Push(api_key, error_codes);
    return absl::OkStatus();
  }

  void ClearInjectedErrors() override { injected_errors_.Clear(); }

 private:
  absl::Status ResolveAdvertised() {
    if (options_.advertised_listeners.empty()) {
      for (const Listener& l : listeners_) {
        advertised_.push_back(Reachable(l.bound));
      }
      return absl::OkStatus();
    }
    for (const std::string& spec : options_.advertised_listeners) {
      ASSIGN_OR_RETURN(Endpoint e, Endpoint::Parse(spec));
      // Port 0 advertises the port the listener of that name got.
      if (e.port == 0) {
        for (const Listener& l : listeners_) {
          if (l.bound.listener_name == e.listener_name) e.port = l.bound.port;
        }
      }
      advertised_.push_back(std::move(e));
    }
    return absl::OkStatus();
  }

  void AwaitNoConnections(std::chrono::seconds timeout) {
    absl::MutexLock lock(&mu_);
    auto none = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return connections_.empty();
    };
    mu_.AwaitWithTimeout(absl::Condition(&none), absl::FromChrono(timeout));
  }

  std::vector<std::shared_ptr<server::Connection>> Connections() {
    absl::MutexLock lock(&mu_);
    std::vector<std::shared_ptr<server::Connection>> out;
    for (auto& [raw, connection] : connections_) out.push_back(connection);
    return out;
  }

  void Accept(Listener& listener) {
    // The next connection goes to the next network thread in turn.
    asio::io_context& home = *contexts_[next_context_++ % contexts_.size()];
    listener.acceptor->async_accept(
        home, [this, &listener, &home](const asio::error_code& error,
                                       tcp::socket socket) {
          if (error) {
            if (error == asio::error::operation_aborted) return;
            options_.logger->Log(LogLevel::kWarning,
                                 absl::StrCat("accept: ", error.message()));
          } else {
            Adopt(std::move(socket), home, listener.bound.listener_name);
          }
          if (listener.acceptor->is_open()) Accept(listener);
        });
  }

  void Adopt(tcp::socket socket, asio::io_context& home,
             const std::string& listener_name) {
    server::ConnectionOptions options{
        .registry = registry_.get(),
        .server = &context_,
        .injected_errors = &injected_errors_,
        .max_request_bytes = options_.socket_request_max_bytes,
        .max_idle_ms = options_.connections_max_idle_ms,
        .max_queued_requests =
            static_cast<size_t>(std::max(1, options_.queued_max_requests)),
        .listener_name = listener_name};
    auto strand = asio::make_strand(home);
    auto connection = std::make_shared<server::Connection>(
        std::move(socket), strand, std::move(options),
        [this](server::Connection* closed) { Forget(closed); });
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_) return;  // the socket closes with `connection`
      connections_.emplace(connection.get(), connection);
    }
    connection->Start();
  }

  void Forget(server::Connection* connection) {
    // Declared before the lock: the last reference may go after unlocking.
    std::shared_ptr<server::Connection> keep;
    absl::MutexLock lock(&mu_);
    auto it = connections_.find(connection);
    if (it == connections_.end()) return;
    keep = std::move(it->second);
    connections_.erase(it);
  }

  KafkaServerOptions options_;
  const std::unique_ptr<server::HandlerRegistry> registry_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  // Which network thread the next connection goes to. Touched only by
  // the acceptors, on the first network thread.
  size_t next_context_ = 0;
  std::vector<Listener> listeners_;
  std::vector<Endpoint> advertised_;
  server::ServerContext context_;
  server::InjectedErrors injected_errors_;
  std::vector<std::thread> threads_;

  absl::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<server::Connection*, std::shared_ptr<server::Connection>>
      connections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<KafkaServer>> KafkaServer::Bind(
    KafkaServerOptions options) {
  auto server = std::make_unique<KafkaServerImpl>(std::move(options));
  RETURN_IF_ERROR(server->BindAll());
  return server;
}

}  // namespace rill
