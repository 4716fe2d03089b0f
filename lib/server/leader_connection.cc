#include "server/leader_connection.h"

#include <algorithm>
#include <array>
#include <limits>
#include <span>
#include <vector>

#include "absl/strings/str_cat.h"
#include "util/endian.h"

namespace rill::server {
namespace {

using asio::ip::tcp;

// A response frame holds at least its correlation id.
constexpr int32_t kMinResponseBytes = 4;

}  // namespace

LeaderConnection::LeaderConnection(asio::io_context& io,
                                   LeaderConnectionOptions options)
    : options_(std::move(options)),
      socket_(io),
      resolver_(io),
      deadline_timer_(io) {}

LeaderConnection::~LeaderConnection() = default;

int32_t LeaderConnection::NextCorrelationId() {
  const int32_t id = next_correlation_id_;
  next_correlation_id_ = id == std::numeric_limits<int32_t>::max() ? 0 : id + 1;
  return id;
}

absl::Status LeaderConnection::Unavailable(std::string_view what) const {
  return absl::UnavailableError(absl::StrCat(
      "broker ", options_.from.value(), " to leader ", options_.leader.value(),
      ": ", absl::string_view(what.data(), what.size())));
}

void LeaderConnection::SendFrame(std::string frame, int32_t correlation_id,
                                 bool flexible_header, int64_t timeout_ms,
                                 ResponseHandler done) {
  if (state_ == State::kShutDown) {
    done(shutdown_status_);
    return;
  }
  calls_.push_back(
      {.correlation_id = correlation_id,
       .flexible_header = flexible_header,
       .deadline = SteadyClock::now() +
                   std::chrono::milliseconds(std::max<int64_t>(timeout_ms, 0)),
       .done = std::move(done)});
  outbox_.push_back(std::move(frame));
  switch (state_) {
    case State::kIdle:
      Connect();  // arms the deadline
      return;
    case State::kConnected:
      Write();
      break;
    case State::kConnecting:
    case State::kShutDown:
      break;
  }
  ArmDeadline();
}

void LeaderConnection::Connect() {
  state_ = State::kConnecting;
  const uint64_t generation = ++generation_;
  connect_deadline_ = SteadyClock::now() +
                      std::chrono::milliseconds(options_.connect_timeout_ms);
  if (options_.resolve == nullptr) {
    Fail(absl::FailedPreconditionError(
        "the TCP replica transport has no endpoint resolver"));
    return;
  }
  absl::StatusOr<replication::BrokerEndpoint> endpoint =
      options_.resolve(options_.leader, options_.listener_name);
  if (!endpoint.ok()) {
    Fail(Unavailable(absl::StrCat("no ", options_.listener_name,
                                  " endpoint: ", endpoint.status().message())));
    return;
  }
  const std::string where = absl::StrCat(endpoint->host, ":", endpoint->port);
  ArmDeadline();
  resolver_.async_resolve(
      endpoint->host, std::to_string(endpoint->port),
      [self = shared_from_this(), generation, where](
          const asio::error_code& error, tcp::resolver::results_type found) {
        if (generation != self->generation_) return;
        if (error) {
          self->Fail(self->Unavailable(
              absl::StrCat("cannot resolve ", where, ": ", error.message())));
          return;
        }
        asio::async_connect(
            self->socket_, found,
            [self, generation, where](const asio::error_code& error,
                                      const tcp::endpoint&) {
              self->OnConnected(generation, error, where);
            });
      });
}

void LeaderConnection::OnConnected(uint64_t generation,
                                   const asio::error_code& error,
                                   const std::string& where) {
  if (generation != generation_) return;
  if (error) {
    Fail(Unavailable(
        absl::StrCat("cannot connect to ", where, ": ", error.message())));
    return;
  }
  asio::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  state_ = State::kConnected;
  ReadSize();
  Write();
  ArmDeadline();
}

void LeaderConnection::Write() {
  if (writing_ || outbox_.empty() || state_ != State::kConnected) return;
  writing_ = true;
  // The frames live in the completion until the write is over.
  auto frames = std::make_shared<std::vector<std::string>>(
      std::make_move_iterator(outbox_.begin()),
      std::make_move_iterator(outbox_.end()));
  outbox_.clear();
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(frames->size());
  for (const std::string& f : *frames) buffers.push_back(asio::buffer(f));
  asio::async_write(socket_, buffers,
                    [self = shared_from_this(), generation = generation_,
                     frames](const asio::error_code& error, size_t) {
                      if (generation != self->generation_) return;
                      self->writing_ = false;
                      if (error) {
                        self->Fail(self->Unavailable(
                            absl::StrCat("write failed: ", error.message())));
                        return;
                      }
                      self->Write();
                    });
}

void LeaderConnection::ReadSize() {
  auto size = std::make_shared<std::array<char, 4>>();
  asio::async_read(
      socket_, asio::buffer(*size),
      [self = shared_from_this(), generation = generation_, size](
          const asio::error_code& error, size_t) {
        if (generation != self->generation_) return;
        if (error) {
          self->Fail(self->Unavailable(
              error == asio::error::eof
                  ? std::string("the leader closed the connection")
                  : absl::StrCat("read failed: ", error.message())));
          return;
        }
        const int32_t n = util::LoadBigEndian<int32_t>(size->data());
        if (n < kMinResponseBytes || n > self->options_.max_response_bytes) {
          self->Fail(self->Unavailable(
              absl::StrCat("response of ", n, " bytes (at most ",
                           self->options_.max_response_bytes, " accepted)")));
          return;
        }
        self->ReadBody(static_cast<size_t>(n));
      });
}

void LeaderConnection::ReadBody(size_t size) {
  auto frame = std::make_shared<std::string>(size, '\0');
  asio::async_read(socket_, asio::buffer(*frame),
                   [self = shared_from_this(), generation = generation_, frame](
                       const asio::error_code& error, size_t) {
                     if (generation != self->generation_) return;
                     if (error) {
                       self->Fail(self->Unavailable(
                           absl::StrCat("read failed: ", error.message())));
                       return;
                     }
                     self->OnFrame(std::move(*frame));
                   });
}

void LeaderConnection::OnFrame(std::string frame) {
  protocol::WireReader reader{std::span<char>(frame)};
  const int32_t correlation_id = reader.Fixed<int32_t>();
  if (calls_.empty() || calls_.front().correlation_id != correlation_id) {
    Fail(Unavailable(absl::StrCat(
        "answer with correlation id ", correlation_id, ", expected ",
        calls_.empty() ? std::string("none")
                       : absl::StrCat(calls_.front().correlation_id))));
    return;
  }
  Call call = std::move(calls_.front());
  calls_.pop_front();
  if (call.flexible_header) {
    if (absl::Status s = protocol::SkipTaggedFields(reader); !s.ok()) {
      calls_.push_front(std::move(call));
      Fail(Unavailable(
          absl::StrCat("malformed response header: ", s.message())));
      return;
    }
  }
  // Keep reading before the answer runs: the next one may be on its way.
  ReadSize();
  ArmDeadline();
  call.done(std::move(reader));
}

void LeaderConnection::ArmDeadline() {
  SteadyClock::time_point earliest = SteadyClock::time_point::max();
  if (state_ == State::kConnecting) earliest = connect_deadline_;
  for (const Call& call : calls_) earliest = std::min(earliest, call.deadline);
  if (earliest == SteadyClock::time_point::max()) {
    deadline_timer_.cancel();
    return;
  }
  deadline_timer_.expires_at(earliest);
  deadline_timer_.async_wait(
      [self = shared_from_this()](const asio::error_code& error) {
        if (error == asio::error::operation_aborted) return;
        self->OnDeadline();
      });
}

void LeaderConnection::OnDeadline() {
  const SteadyClock::time_point now = SteadyClock::now();
  if (state_ == State::kConnecting && now >= connect_deadline_) {
    Fail(Unavailable(absl::StrCat("connection not set up within ",
                                  options_.connect_timeout_ms, " ms")));
    return;
  }
  for (const Call& call : calls_) {
    if (now >= call.deadline) {
      Fail(Unavailable(
          absl::StrCat("request ", call.correlation_id, " timed out")));
      return;
    }
  }
  ArmDeadline();
}

void LeaderConnection::Fail(const absl::Status& status) {
  const bool was_connected = state_ == State::kConnected;
  ++generation_;
  if (state_ != State::kShutDown) state_ = State::kIdle;
  asio::error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  deadline_timer_.cancel();
  writing_ = false;
  outbox_.clear();
  std::deque<Call> calls;
  calls.swap(calls_);
  // Losing a connection with requests on it is worth a warning; a failed
  // attempt (the caller retries) or an idle connection closed is not.
  if (options_.logger != nullptr) {
    options_.logger->Log(
        was_connected && !calls.empty() ? LogLevel::kWarning : LogLevel::kDebug,
        std::string_view(status.message().data(), status.message().size()));
  }
  for (Call& call : calls) call.done(status);
}

void LeaderConnection::Shutdown(const absl::Status& status) {
  if (state_ == State::kShutDown) return;
  state_ = State::kShutDown;
  shutdown_status_ = status;
  Fail(status);
}

}  // namespace rill::server
