#include "interop/fault_proxy.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <thread>
#include <utility>

#include "asio.hpp"

namespace rill::interop {

using asio::ip::tcp;

// Impl: everything but the counters and the upstream port lives on the one
// I/O thread (handlers run one at a time), so it needs no lock.
class FaultProxy::Impl {
 public:
  explicit Impl(FaultProxyOptions options)
      : options_(std::move(options)), acceptor_(io_), timer_(io_) {
    asio::error_code error;
    const tcp::endpoint loopback(asio::ip::address_v4::loopback(), 0);
    acceptor_.open(loopback.protocol(), error);
    if (!error) acceptor_.bind(loopback, error);
    if (!error)
      acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      std::fprintf(stderr, "FaultProxy: cannot listen: %s\n",
                   error.message().c_str());
      std::abort();
    }
    port_ = acceptor_.local_endpoint().port();
    NextBudget(budgets_[0], options_.cut_after_request_bytes);
    NextBudget(budgets_[1], options_.cut_after_response_bytes);
    Accept();
    ArmTimer();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    asio::post(io_, [this] {
      stopping_ = true;
      asio::error_code ignored;
      acceptor_.close(ignored);
      timer_.cancel();
      CloseAll();
    });
    // The pending handlers end once their sockets are closed.
    thread_.join();
  }

  int port() const { return port_; }
  void SetUpstream(int port) { upstream_port_.store(port); }
  void CutAll() {
    asio::post(io_, [this] { CloseAll(); });
  }
  void SetCutting(bool enabled) { cutting_.store(enabled); }
  int64_t cuts() const { return cuts_.load(); }
  int64_t connections() const { return connections_.load(); }
  int64_t cuts_in_responses() const { return cuts_in_responses_.load(); }

 private:
  // Session is one relayed connection: the client's socket and ours to the
  // upstream.
  struct Session {
    explicit Session(asio::io_context& io, tcp::socket c)
        : client(std::move(c)), upstream(io) {}
    tcp::socket client;
    tcp::socket upstream;
    std::array<char, 16 * 1024> to_upstream;
    std::array<char, 16 * 1024> to_client;
  };
  using SessionPtr = std::shared_ptr<Session>;

  void Accept() {
    acceptor_.async_accept(
        [this](const asio::error_code& error, tcp::socket socket) {
          if (error || stopping_) return;  // closed
          const int upstream = upstream_port_.load();
          if (upstream != 0) {
            auto session = std::make_shared<Session>(io_, std::move(socket));
            sessions_.insert(session);
            connections_.fetch_add(1);
            session->upstream.async_connect(
                tcp::endpoint(asio::ip::address_v4::loopback(),
                              static_cast<uint16_t>(upstream)),
                [this, session](const asio::error_code& connect_error) {
                  if (connect_error) {
                    Close(session);
                    return;
                  }
                  Relay(session, session->client, session->upstream,
                        session->to_upstream, /*to_client=*/false);
                  Relay(session, session->upstream, session->client,
                        session->to_client, /*to_client=*/true);
                });
          }
          Accept();
        });
  }

  // Relay copies `from` to `to` until either closes, spending the byte
  // budget on the way.
  void Relay(const SessionPtr& session, tcp::socket& from, tcp::socket& to,
             std::array<char, 16 * 1024>& buffer, bool to_client) {
    from.async_read_some(
        asio::buffer(buffer), [this, session, &from, &to, &buffer, to_client](
                                  const asio::error_code& error, size_t n) {
          if (error || !sessions_.contains(session)) {
            Close(session);
            return;
          }
          bool cut = false;
          Budget& budget = budgets_[to_client ? 1 : 0];
          if (cutting_.load() && budget.left > 0) {
            if (static_cast<int64_t>(n) >= budget.left) {
              n = static_cast<size_t>(budget.left);
              cut = true;
              if (to_client) cuts_in_responses_.fetch_add(1);
              NextBudget(budget, to_client ? options_.cut_after_response_bytes
                                           : options_.cut_after_request_bytes);
            } else {
              budget.left -= static_cast<int64_t>(n);
            }
          }
          asio::async_write(to, asio::buffer(buffer.data(), n),
                            [this, session, &from, &to, &buffer, to_client,
                             cut](const asio::error_code& write_error, size_t) {
                              if (cut) {
                                CloseAll();
                              } else if (write_error) {
                                Close(session);
                              } else {
                                Relay(session, from, to, buffer, to_client);
                              }
                            });
        });
  }

  // Budget is what is left of one direction's byte budget.
  struct Budget {
    int64_t left = 0;  // 0: no budget
    size_t next = 0;   // index of the budget to use after this one
  };

  static void NextBudget(Budget& budget, const std::vector<int64_t>& sizes) {
    if (sizes.empty()) return;
    budget.left = std::max<int64_t>(1, sizes[budget.next++ % sizes.size()]);
  }

  void ArmTimer() {
    if (options_.cut_every_ms <= 0 || stopping_) return;
    timer_.expires_after(std::chrono::milliseconds(options_.cut_every_ms));
    timer_.async_wait([this](const asio::error_code& error) {
      if (error) return;  // cancelled
      if (cutting_.load()) CloseAll();
      ArmTimer();
    });
  }

  void Close(const SessionPtr& session) {
    asio::error_code ignored;
    session->client.close(ignored);
    session->upstream.close(ignored);
    sessions_.erase(session);
  }

  void CloseAll() {
    if (sessions_.empty()) return;
    cuts_.fetch_add(1);
    for (const SessionPtr& session : std::set<SessionPtr>(sessions_)) {
      Close(session);
    }
  }

  const FaultProxyOptions options_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer timer_;
  int port_ = 0;
  std::atomic<int> upstream_port_{0};
  std::atomic<bool> cutting_{true};
  std::atomic<int64_t> cuts_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> cuts_in_responses_{0};
  // On the I/O thread only.
  std::set<SessionPtr> sessions_;
  Budget budgets_[2];  // [0]: towards the upstream, [1]: back to clients
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest exists
};

FaultProxy::FaultProxy(FaultProxyOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
FaultProxy::~FaultProxy() = default;
int FaultProxy::port() const { return impl_->port(); }
std::string FaultProxy::address() const {
  return "127.0.0.1:" + std::to_string(port());
}
void FaultProxy::SetUpstream(int port) { impl_->SetUpstream(port); }
void FaultProxy::CutAll() { impl_->CutAll(); }
void FaultProxy::SetCutting(bool enabled) { impl_->SetCutting(enabled); }
int64_t FaultProxy::cuts() const { return impl_->cuts(); }
int64_t FaultProxy::connections() const { return impl_->connections(); }
int64_t FaultProxy::cuts_in_responses() const {
  return impl_->cuts_in_responses();
}

}  // namespace rill::interop
