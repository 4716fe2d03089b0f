#include "server/connection.h"

#include <sys/sendfile.h>

#include <cerrno>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "protocol/api_key.h"
#include "protocol/header.h"
#include "protocol/messages/api_versions.h"
#include "server/error_codes.h"
#include "util/endian.h"

namespace rill::server {
namespace {

constexpr size_t kInitialReadBuffer = 64 << 10;
constexpr size_t kKeptReadBuffer = 8 << 20;
// Responses written with one gather call, at most.
constexpr size_t kMaxGather = 64;

std::string PeerOf(const asio::ip::tcp::socket& socket) {
  asio::error_code error;
  auto endpoint = socket.remote_endpoint(error);
  if (error) return "unknown";
  return absl::StrCat(endpoint.address().to_string(), ":", endpoint.port());
}

}  // namespace

void ConnectionLink::Deliver(std::shared_ptr<void> slot,
                             Responder::Outcome outcome,
                             std::unique_ptr<protocol::WireWriter> frame) {
  auto in_flight = std::static_pointer_cast<Connection::InFlight>(slot);
  std::shared_ptr<Connection> connection;
  {
    absl::MutexLock lock(&mu_);
    connection = connection_.lock();
    if (connection == nullptr) return;
    if (!connection->strand_.get_inner_executor().running_in_this_thread()) {
      // Another thread (the broker's, or another network thread's): the
      // server may be shutting down, so hand over while Detach waits.
      asio::post(connection->strand_, [connection, in_flight, outcome,
                                       frame = std::move(frame)]() mutable {
        connection->OnAnswer(in_flight, outcome, std::move(frame));
      });
      return;
    }
  }
  // The connection's own network thread (its handler, or an append from
  // another of its connections answering a parked fetch): the io_context
  // outlives this call. If the
  // connection's strand is idle, the answer goes out from this thread now,
  // rather than waking another thread for it; if busy, it queues there.
  asio::dispatch(connection->strand_, [connection, in_flight, outcome,
                                       frame = std::move(frame)]() mutable {
    connection->OnAnswer(in_flight, outcome, std::move(frame));
  });
}

void ConnectionLink::Detach() {
  absl::MutexLock lock(&mu_);
  connection_.reset();
}

Connection::Connection(Socket socket, Strand strand, ConnectionOptions options,
                       std::function<void(Connection*)> on_closed)
    : socket_(std::move(socket)),
      strand_(std::move(strand)),
      options_(std::move(options)),
      on_closed_(std::move(on_closed)),
      peer_(PeerOf(socket_)),
      idle_timer_(strand_),
      read_buffer_(new char[kInitialReadBuffer]),
      read_capacity_(kInitialReadBuffer) {}

Connection::~Connection() = default;

void Connection::Start() {
  link_ = std::make_shared<ConnectionLink>(weak_from_this());
  asio::error_code ignored;
  // Latency matters more than packet count: answers go out at once.
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  // sendfile(2) on the socket must not block a network thread.
  socket_.native_non_blocking(true, ignored);
  asio::post(strand_, [self = shared_from_this()] {
    self->last_activity_ = std::chrono::steady_clock::now();
    self->ArmIdleTimer();
    self->ReadMore();
  });
}

void Connection::Drain() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->closed_) return;
    self->draining_ = true;
    // Requests the client already sent are answered: if bytes are waiting,
    // the pending read completes with them. Otherwise wake the read by
    // shutting down the receive side.
    asio::error_code error;
    if (self->socket_.available(error) == 0 || error) {
      self->socket_.shutdown(Socket::shutdown_receive, error);
    }
    self->MaybeFinishDrain();
  });
}

void Connection::Close() {
  asio::post(strand_,
             [self = shared_from_this()] { self->CloseWithReason(""); });
}

void Connection::CloseWithReason(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  if (!reason.empty()) {
    options_.server->logger->Log(LogLevel::kWarning,
                                 absl::StrCat("closing connection from ", peer_,
                                              ": ", std::string(reason)));
  }
  asio::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  idle_timer_.cancel();
  link_->Detach();
  in_flight_.clear();
  if (on_closed_) on_closed_(this);
}

void Connection::MaybeFinishDrain() {
  if (draining_ && !reading_ && in_flight_.empty() && outbound_.empty() &&
      !writing_) {
    CloseWithReason("");
  }
}

// --- reading -------------------------------------------------------------

void Connection::ReadMore() {
  if (reading_ || closed_ || draining_) return;
  if (in_flight_.size() >= options_.max_queued_requests) return;
  if (read_end_ == read_capacity_) {
    // Full: move a partial frame to the front, or grow if it fills it all.
    MakeRoom(read_begin_ > 0 ? read_capacity_ : read_capacity_ * 2);
  }
  reading_ = true;
  socket_.async_read_some(
      asio::buffer(read_buffer_.get() + read_end_, read_capacity_ - read_end_),
      asio::bind_executor(strand_, [self = shared_from_this()](
                                       const asio::error_code& error,
                                       size_t n) { self->OnRead(error, n); }));
}

void Connection::OnRead(const asio::error_code& error, size_t n) {
  reading_ = false;
  if (closed_) return;
  if (error) {
    if (draining_) {
      MaybeFinishDrain();
    } else {
      CloseWithReason(error == asio::error::eof ? "" : error.message());
    }
    return;
  }
  last_activity_ = std::chrono::steady_clock::now();
  read_end_ += n;
  if (!DispatchFrames()) return;
  ReadMore();
  MaybeFinishDrain();
}

void Connection::MakeRoom(size_t needed) {
  const size_t live = read_end_ - read_begin_;
  if (needed <= read_capacity_) {
    std::memmove(read_buffer_.get(), read_buffer_.get() + read_begin_, live);
  } else {
    // Not zero-filled: only the live bytes are copied in.
    const size_t capacity = std::max(needed, read_capacity_ * 2);
    std::unique_ptr<char[]> bigger(new char[capacity]);
    std::memcpy(bigger.get(), read_buffer_.get() + read_begin_, live);
    read_buffer_ = std::move(bigger);
    read_capacity_ = capacity;
  }
  read_begin_ = 0;
  read_end_ = live;
}

bool Connection::DispatchFrames() {
  // An answer given inline (on this strand, inside Dispatch) must not
  // start a nested pass over the buffer this pass is walking.
  if (dispatching_) return !closed_;
  dispatching_ = true;
  absl::Cleanup done = [this] { dispatching_ = false; };
  while (!closed_ && in_flight_.size() < options_.max_queued_requests) {
    const size_t available = read_end_ - read_begin_;
    if (available < 4) break;
    const int32_t size =
        util::LoadBigEndian<int32_t>(read_buffer_.get() + read_begin_);
    if (size < 0 || size > options_.max_request_bytes) {
      CloseWithReason(absl::StrCat("request of ", size,
                                   " bytes exceeds socket.request.max.bytes (",
                                   options_.max_request_bytes, ")"));
      return false;
    }
    const size_t frame_bytes = 4 + static_cast<size_t>(size);
    if (available < frame_bytes) {
      // The buffer may move only while no read is filling it.
      if (!reading_ && read_begin_ + frame_bytes > read_capacity_) {
        MakeRoom(frame_bytes);
      }
      break;
    }
    absl::Status dispatched = Dispatch(std::span<char>(
        read_buffer_.get() + read_begin_ + 4, static_cast<size_t>(size)));
    read_begin_ += frame_bytes;
    if (!dispatched.ok()) {
      CloseWithReason(std::string(dispatched.message()));
      return false;
    }
  }
  if (read_begin_ == read_end_ && !reading_) {
    read_begin_ = read_end_ = 0;
    // A rare huge request grew the buffer; give that memory back. (Up to
    // kKeptReadBuffer is kept: producers send ~1 MiB requests back to back.)
    if (read_capacity_ > kKeptReadBuffer) {
      read_buffer_.reset(new char[kInitialReadBuffer]);
      read_capacity_ = kInitialReadBuffer;
    }
  }
  return !closed_;
}

absl::Status Connection::Dispatch(std::span<char> frame) {
  protocol::WireReader reader(frame);
  protocol::RequestHeader header;
  if (absl::Status s = protocol::ReadRequestHeader(reader, &header); !s.ok()) {
    return s;
  }
  Handler* handler = options_.registry->Find(header.api_key);
  if (handler == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown API key ", header.api_key));
  }
  auto slot = std::make_shared<InFlight>();
  const protocol::Versions advertised = handler->advertised();
  if (!advertised.Contains(header.api_version)) {
    if (header.api_key !=
        static_cast<int16_t>(protocol::ApiKey::kApiVersions)) {
      return absl::InvalidArgumentError(
          absl::StrCat(protocol::ApiKeyName(header.api_key), " v",
                       header.api_version, " is not supported"));
    }
    // A client newer than us: answer in v0 with UNSUPPORTED_VERSION and
    // our versions, so it can retry with one we speak (KIP-511).
    in_flight_.push_back(slot);
    protocol::ApiVersionsResponse response;
    response.error_code = kErrorUnsupportedVersion;
    response.api_keys = options_.registry->Advertised();
    auto out = StartFrame(header.correlation_id, false);
    protocol::Encode(response, 0, *out);
    FinishFrame(*out);
    OnAnswer(slot, Responder::Outcome::kAnswered, std::move(out));
    return absl::OkStatus();
  }
  if (handler->IsFlexible(header.api_version)) {
    if (absl::Status s = protocol::SkipTaggedFields(reader); !s.ok()) return s;
  }
  in_flight_.push_back(slot);
  // Taken here, on dispatch: injected codes go to requests in the order
  // they arrive, across connections.
  const int16_t injected_error =
      options_.injected_errors != nullptr
          ? options_.injected_errors->Next(header.api_key)
          : int16_t{0};
  RequestContext context{.server = *options_.server,
                         .header = std::move(header),
                         .listener_name = options_.listener_name,
                         .peer = peer_,
                         .injected_error = injected_error};
  std::span<char> body = frame.subspan(reader.position());
  absl::Status handled =
      handler->Handle(context, protocol::WireReader(body), MakeResponder(slot));
  if (!handled.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed ", protocol::ApiKeyName(context.header.api_key),
                     " v", context.header.api_version,
                     " request: ", std::string(handled.message())));
  }
  return absl::OkStatus();
}

Responder Connection::MakeResponder(const std::shared_ptr<InFlight>& slot) {
  return Responder([link = link_, slot](
                       Responder::Outcome outcome,
                       std::unique_ptr<protocol::WireWriter> frame) mutable {
    link->Deliver(std::move(slot), outcome, std::move(frame));
  });
}

// --- writing -------------------------------------------------------------

void Connection::OnAnswer(const std::shared_ptr<InFlight>& slot,
                          Responder::Outcome outcome,
                          std::unique_ptr<protocol::WireWriter> frame) {
  if (closed_) return;
  if (outcome == Responder::Outcome::kAbandoned) {
    CloseWithReason("a request was dropped without an answer");
    return;
  }
  slot->done = true;
  slot->frame = std::move(frame);
  MoveAnsweredToOutbound();
  Write();
  // Answers free queue room: resume reading if it had paused. (An answer
  // given inline during dispatch leaves that to the dispatch loop, which
  // holds a view into the read buffer.)
  if (!dispatching_) {
    if (!DispatchFrames()) return;
    ReadMore();
  }
  MaybeFinishDrain();
}

void Connection::MoveAnsweredToOutbound() {
  while (!in_flight_.empty() && in_flight_.front()->done) {
    std::unique_ptr<protocol::WireWriter> frame =
        std::move(in_flight_.front()->frame);
    in_flight_.pop_front();
    if (frame == nullptr) continue;  // acks=0
    if (absl::Status s = outbound_.Push(std::move(frame)); !s.ok()) {
      CloseWithReason(std::string(s.message()));
      return;
    }
  }
}

void Connection::Write() {
  if (writing_ || closed_ || outbound_.empty()) return;
  if (outbound_.front().is_file()) {
    SendFile();
    return;
  }
  std::vector<std::string_view> run = outbound_.MemoryRun(kMaxGather);
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(run.size());
  for (std::string_view piece : run) {
    buffers.emplace_back(piece.data(), piece.size());
  }
  writing_ = true;
  asio::async_write(socket_, buffers,
                    asio::bind_executor(
                        strand_, [self = shared_from_this()](
                                     const asio::error_code& error, size_t n) {
                          self->OnWritten(error, n);
                        }));
}

// SendFile sends file pieces straight from the page cache while the front
// piece is one. The socket is non-blocking: when it is full, wait until it
// is writable and come back.
void Connection::SendFile() {
  while (!outbound_.empty() && outbound_.front().is_file()) {
    const OutboundPiece& piece = outbound_.front();
    off_t offset = static_cast<off_t>(piece.file_offset);
    const ssize_t n = ::sendfile(
        socket_.native_handle(), piece.fd, &offset,
        static_cast<size_t>(std::min<uint64_t>(piece.file_size, 1 << 30)));
    if (n > 0) {
      last_activity_ = std::chrono::steady_clock::now();
      outbound_.Consume(static_cast<uint64_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      writing_ = true;
      socket_.async_wait(
          Socket::wait_write,
          asio::bind_executor(strand_, [self = shared_from_this()](
                                           const asio::error_code& error) {
            self->writing_ = false;
            if (self->closed_) return;
            if (error) {
              self->CloseWithReason(error.message());
              return;
            }
            self->Write();
          }));
      return;
    }
    if (n < 0 && errno == EINTR) continue;
    CloseWithReason(n == 0 ? "log file shorter than the slice being sent"
                           : absl::StrCat("sendfile: ", std::strerror(errno)));
    return;
  }
  Write();
  MaybeFinishDrain();
}

void Connection::OnWritten(const asio::error_code& error, size_t n) {
  writing_ = false;
  if (closed_) return;
  if (error) {
    CloseWithReason(error.message());
    return;
  }
  last_activity_ = std::chrono::steady_clock::now();
  outbound_.Consume(n);
  Write();
  MaybeFinishDrain();
}

// --- idleness ------------------------------------------------------------

void Connection::ArmIdleTimer() {
  if (closed_ || options_.max_idle_ms <= 0) return;
  const auto idle_limit = std::chrono::milliseconds(options_.max_idle_ms);
  idle_timer_.expires_at(last_activity_ + idle_limit);
  idle_timer_.async_wait([self = shared_from_this(),
                          idle_limit](const asio::error_code& error) {
    if (error || self->closed_) return;
    const bool busy = !self->in_flight_.empty() || !self->outbound_.empty();
    if (!busy &&
        std::chrono::steady_clock::now() - self->last_activity_ >= idle_limit) {
      self->CloseWithReason("");
      return;
    }
    if (busy) self->last_activity_ = std::chrono::steady_clock::now();
    self->ArmIdleTimer();
  });
}

}  // namespace rill::server
