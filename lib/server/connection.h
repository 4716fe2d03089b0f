// Connection: one client socket — frames in, handlers called in order,
// answers out in the same order.
//
// Reading: frames are parsed out of a read buffer; each is dispatched to its
// handler on the connection's strand, one at a time and in arrival order,
// so a client's pipelined produce requests reach the log in order. Answers
// may complete in any order (a parked fetch behind an immediate metadata
// request); the connection sends them in request order, as Kafka requires.
// Reading pauses while `queued.max.requests` requests await answers.
//
// Closing: a malformed frame, an oversized request, an unknown API or
// version, or a socket error closes the connection at once; an idle one is
// closed after connections.max.idle.ms; Drain (server shutdown) stops
// reading and closes once every request read has been answered.
#ifndef RILL_SERVER_CONNECTION_H_
#define RILL_SERVER_CONNECTION_H_

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "asio.hpp"
#include "server/handler.h"
#include "server/handler_registry.h"
#include "server/injected_errors.h"
#include "server/outbound_queue.h"
#include "server/request_context.h"

namespace rill::server {

class Connection;

// ConnectionLink lets broker callbacks reach a connection that may have
// closed, or a server that may have shut down: they hold the link, never
// the connection. Thread-safe.
class ConnectionLink {
 public:
  explicit ConnectionLink(std::weak_ptr<Connection> connection)
      : connection_(std::move(connection)) {}
  // Deliver hands a request's outcome to the connection's strand, if the
  // connection is still reachable. From another thread it posts under the
  // link's lock, so Detach waits for it. On the connection's own network
  // thread it dispatches after the lock is released (the answer may close
  // the link): inline if the strand is idle, so an append answers a parked
  // fetch without a hand-over.
  void Deliver(std::shared_ptr<void> slot, Responder::Outcome outcome,
               std::unique_ptr<protocol::WireWriter> frame);
  // Detach makes the connection unreachable from now on.
  void Detach();

 private:
  absl::Mutex mu_;
  std::weak_ptr<Connection> connection_ ABSL_GUARDED_BY(mu_);
};

// ConnectionOptions are the server's settings every connection shares.
struct ConnectionOptions {
  const HandlerRegistry* registry = nullptr;
  const ServerContext* server = nullptr;
  // Where requests take injected error codes from; null: none are.
  InjectedErrors* injected_errors = nullptr;
  int32_t max_request_bytes = 100 << 20;
  int64_t max_idle_ms = 600'000;
  size_t max_queued_requests = 500;
  std::string listener_name = "PLAINTEXT";
};

// Connection is owned by shared_ptrs: its own pending asio operations and
// the server's table. Its state is touched only on its strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Socket = asio::ip::tcp::socket;
  using Strand = asio::strand<asio::io_context::executor_type>;

  Connection(Socket socket, Strand strand, ConnectionOptions options,
             std::function<void(Connection*)> on_closed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Start begins reading. Call once, after construction.
  void Start();
  // Drain stops reading and closes once every request read is answered.
  void Drain();
  // Close closes at once.
  void Close();

  const std::shared_ptr<ConnectionLink>& link() const { return link_; }
  const std::string& peer() const { return peer_; }

 private:
  friend class ConnectionLink;
  struct InFlight {
    bool done = false;
    std::unique_ptr<protocol::WireWriter> frame;  // null: nothing to send
  };

  void ReadMore();
  void OnRead(const asio::error_code& error, size_t n);
  // DispatchFrames handles every whole frame in the read buffer; false
  // means the connection was closed.
  bool DispatchFrames();
  absl::Status Dispatch(std::span<char> frame);
  Responder MakeResponder(const std::shared_ptr<InFlight>& slot);
  void OnAnswer(const std::shared_ptr<InFlight>& slot,
                Responder::Outcome outcome,
                std::unique_ptr<protocol::WireWriter> frame);
  void MoveAnsweredToOutbound();
  void Write();
  void SendFile();
  void OnWritten(const asio::error_code& error, size_t n);
  void ArmIdleTimer();
  void CloseWithReason(std::string_view reason);
  void MaybeFinishDrain();

  Socket socket_;
  Strand strand_;
  const ConnectionOptions options_;
  std::function<void(Connection*)> on_closed_;
  std::shared_ptr<ConnectionLink> link_;
  std::string peer_;
  asio::steady_timer idle_timer_;

  // MakeRoom moves the unread bytes to the front and grows the buffer to
  // hold at least `needed` bytes. Only while no read is pending.
  void MakeRoom(size_t needed);

  std::unique_ptr<char[]> read_buffer_;
  size_t read_capacity_;
  size_t read_begin_ = 0;
  size_t read_end_ = 0;
  bool reading_ = false;
  bool dispatching_ = false;
  bool writing_ = false;
  bool draining_ = false;
  bool closed_ = false;
  std::chrono::steady_clock::time_point last_activity_;
  std::deque<std::shared_ptr<InFlight>> in_flight_;
  OutboundQueue outbound_;
};

}  // namespace rill::server

#endif  // RILL_SERVER_CONNECTION_H_
