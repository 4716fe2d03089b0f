// fault_proxy.h — a loopback TCP proxy that drops connections, to put
// between a Kafka client and a broker.
//
// Metadata tells a client where each broker is, so to keep a client on the
// proxy the broker must advertise the proxy's address. The proxy binds
// first, the broker starts advertising it, then the proxy learns where the
// broker listens:
//
//   FaultProxy proxy({.cut_after_request_bytes = {4096, 10'000}});
//   rill::testing::EmbeddedCluster cluster({.listen = true, .server = {
//       .advertised_listeners = {"PLAINTEXT://" + proxy.address()}}});
//   proxy.SetUpstream(cluster.server()->endpoints().at(0).port);
//   // bootstrap.servers = proxy.address()
//
// A cut closes both sides of every relayed connection at once, possibly in
// the middle of a request or a response: each side sees a partial frame and
// then end of stream, as when a network path fails.
//
// Owns its listening socket and one I/O thread. Thread-safe.
#ifndef RILL_TESTS_INTEROP_FAULT_PROXY_H_
#define RILL_TESTS_INTEROP_FAULT_PROXY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rill::interop {

// FaultProxyOptions choose when the proxy cuts connections.
struct FaultProxyOptions {
  // Cut every connection once this many bytes have been relayed towards
  // the upstream (requests, over all connections) since the last cut of
  // this kind; the budgets are used in turn, starting over after the last.
  // The byte that exhausts a budget is the last one relayed. Empty: no cuts
  // in requests. Default: empty.
  std::vector<int64_t> cut_after_request_bytes = {};
  // The same for bytes relayed back to clients (responses): such a cut
  // loses a response whose request the upstream has handled. Default: empty.
  std::vector<int64_t> cut_after_response_bytes = {};
  // Cut every connection this often; 0: never. Default: 0.
  int64_t cut_every_ms = 0;
};

// FaultProxy relays 127.0.0.1:port() to 127.0.0.1:<upstream port>.
class FaultProxy {
 public:
  // The constructor binds a free loopback port and starts relaying (it
  // refuses connections until SetUpstream).
  explicit FaultProxy(FaultProxyOptions options = {});
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const;
  // address is "127.0.0.1:<port>".
  std::string address() const;
  // SetUpstream names the port new connections are relayed to.
  void SetUpstream(int port);
  // CutAll closes every relayed connection now (asynchronously: returns
  // before the sockets are closed).
  void CutAll();
  // SetCutting turns the configured cuts (by bytes and by time) on or off;
  // they start on.
  void SetCutting(bool enabled);

  // cuts counts the cuts that closed at least one connection.
  int64_t cuts() const;
  // connections counts the connections relayed so far.
  int64_t connections() const;
  // cuts_in_responses counts the cuts by cut_after_response_bytes.
  int64_t cuts_in_responses() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rill::interop

#endif  // RILL_TESTS_INTEROP_FAULT_PROXY_H_
