// LeaderConnection: a follower's one connection to one leader, as the TCP
// replica transport uses it.
//
// Requests are framed with the next correlation id and written in order;
// the leader answers in order (Kafka requires it), so each response belongs
// to the oldest request waiting, and its correlation id must say so. The
// connection is opened on the first request (resolving the leader's
// endpoint then, so a broker that moved is found) and again on the first
// request after a failure. A failure — the endpoint unknown, the connection
// refused, reset or closed by the leader, a malformed or oversized answer,
// a request past its deadline — closes the socket and answers every
// request waiting with kUnavailable: answers behind a lost one can never be
// told apart.
#ifndef RILL_SERVER_LEADER_CONNECTION_H_
#define RILL_SERVER_LEADER_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio.hpp"
#include "protocol/codec.h"
#include "protocol/header.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"
#include "rill/logger.h"
#include "rill/server/tcp_replica_transport.h"
#include "rill/types.h"

namespace rill::server {

// LeaderConnectionOptions are what a connection needs beyond its io_context.
struct LeaderConnectionOptions {
  // The follower (for messages) and the leader it connects to.
  NodeId from = NodeId(-1);
  NodeId leader = NodeId(-1);
  ReplicaEndpointResolver resolve = nullptr;
  std::string listener_name = "PLAINTEXT";
  std::string client_id = {};
  int64_t connect_timeout_ms = 10'000;
  int32_t max_response_bytes = 100 << 20;
  std::shared_ptr<Logger> logger = nullptr;
};

// LeaderConnection is owned by shared_ptrs (its transport's table and its
// own pending asio operations). Not thread-safe: every call, and every
// completion, runs on the thread running its io_context.
class LeaderConnection : public std::enable_shared_from_this<LeaderConnection> {
 public:
  using SteadyClock = std::chrono::steady_clock;
  // ResponseHandler gets the response body (after the response header),
  // valid only during the call, or why there is none.
  using ResponseHandler =
      absl::AnyInvocable<void(absl::StatusOr<protocol::WireReader>)>;

  LeaderConnection(asio::io_context& io, LeaderConnectionOptions options);
  ~LeaderConnection();
  LeaderConnection(const LeaderConnection&) = delete;
  LeaderConnection& operator=(const LeaderConnection&) = delete;

  // Send encodes `request` at `version` and sends it, connecting first if
  // needed; `done` runs once, with the response or kUnavailable, and at the
  // latest `timeout_ms` from now.
  template <protocol::Message M>
  void Send(const M& request, int16_t version, int64_t timeout_ms,
            ResponseHandler done) {
    const int32_t correlation_id = NextCorrelationId();
    protocol::WireWriter frame;
    frame.Fixed<int32_t>(0);
    protocol::WriteRequestHeader({.api_key = static_cast<int16_t>(M::kApiKey),
                                  .api_version = version,
                                  .correlation_id = correlation_id,
                                  .client_id = options_.client_id},
                                 M::kFlexibleVersions.Contains(version), frame);
    protocol::Encode(request, version, frame);
    frame.PatchFixed<int32_t>(0, static_cast<int32_t>(frame.size() - 4));
    SendFrame(std::move(frame.mutable_buffer()), correlation_id,
              M::kFlexibleVersions.Contains(version), timeout_ms,
              std::move(done));
  }

  // Shutdown answers every request waiting with `status`, closes the
  // socket and refuses later requests with it. Idempotent.
  void Shutdown(const absl::Status& status);

 private:
  enum class State { kIdle, kConnecting, kConnected, kShutDown };
  // Call is a request sent or about to be, waiting for its answer.
  struct Call {
    int32_t correlation_id = 0;
    // A flexible response has a tagged-field section after the id.
    bool flexible_header = false;
    SteadyClock::time_point deadline;
    ResponseHandler done;
  };

  int32_t NextCorrelationId();
  void SendFrame(std::string frame, int32_t correlation_id,
                 bool flexible_header, int64_t timeout_ms,
                 ResponseHandler done);
  void Connect();
  void OnConnected(uint64_t generation, const asio::error_code& error,
                   const std::string& where);
  void Write();
  void ReadSize();
  void ReadBody(size_t size);
  void OnFrame(std::string frame);
  // ArmDeadline sets the timer to the earliest deadline of a call or the
  // connection attempt.
  void ArmDeadline();
  void OnDeadline();
  // Fail closes the socket and answers every call with `status`; the next
  // request connects again.
  void Fail(const absl::Status& status);
  absl::Status Unavailable(std::string_view what) const;

  const LeaderConnectionOptions options_;
  asio::ip::tcp::socket socket_;
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer deadline_timer_;
  State state_ = State::kIdle;
  // Bumped by every connection attempt and failure: completions of an
  // earlier one find it changed and do nothing.
  uint64_t generation_ = 0;
  int32_t next_correlation_id_ = 0;
  SteadyClock::time_point connect_deadline_;
  std::deque<Call> calls_;
  // Frames not yet handed to the socket.
  std::deque<std::string> outbox_;
  bool writing_ = false;
  absl::Status shutdown_status_;
};

}  // namespace rill::server

#endif  // RILL_SERVER_LEADER_CONNECTION_H_
