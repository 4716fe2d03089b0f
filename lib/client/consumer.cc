// ConsumerImpl: the API, positions and commits. See client/consumer_impl.h.
#include <algorithm>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "client/consumer_impl.h"
#include "client/consumer_options.h"
#include "client/consumer_records_builder.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill {
namespace client {
namespace {

// How long Close waits for async commits still in flight.
constexpr absl::Duration kCloseTimeout = absl::Seconds(30);

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

GroupMembershipConfig MembershipConfig(const ConsumerOptions& options) {
  return {.group_id = options.group_id,
          .group_instance_id = options.group_instance_id,
          .client_id = options.client_id,
          .protocol_type = "consumer",
          .session_timeout_ms = options.session_timeout_ms,
          .rebalance_timeout_ms = options.max_poll_interval_ms,
          .heartbeat_interval_ms = options.heartbeat_interval_ms};
}

}  // namespace

ConsumerImpl::ConsumerImpl(std::shared_ptr<Router> router,
                           ConsumerOptions options,
                           std::unique_ptr<ConsumerGroupProtocol> protocol)
    : router_(std::move(router)),
      options_(std::move(options)),
      signal_(std::make_shared<ConsumerSignal>()),
      protocol_(std::move(protocol)),
      fetcher_(*router_, options_, &assignment_, signal_) {
  if (!options_.group_id.empty()) {
    timers_ = std::make_unique<util::TimerQueue>(options_.clock);
    offsets_ =
        std::make_unique<ConsumerOffsets>(router_, options_.group_id, signal_);
    membership_ = std::make_unique<GroupMembership>(
        router_, MembershipConfig(options_), signal_, timers_.get());
  }
  next_auto_commit_ms_ =
      options_.clock->NowMs() + options_.auto_commit_interval_ms;
}

ConsumerImpl::~ConsumerImpl() {
  if (!closed_) (void)Close();
  if (timers_) timers_->Shutdown();
}

absl::Status ConsumerImpl::CheckOpen(std::string_view call) const {
  if (!closed_) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(AbslView(call), ": the consumer is closed"));
}

absl::Status ConsumerImpl::CheckGroup(std::string_view call) const {
  RETURN_IF_ERROR(CheckOpen(call));
  if (!options_.group_id.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(AbslView(call),
                   " needs a group.id (Kafka's InvalidGroupIdException): set "
                   "ConsumerOptions::group_id"));
}

// --- Subscription and assignment -------------------------------------------

absl::Status ConsumerImpl::Subscribe(
    const std::vector<std::string>& topics,
    std::shared_ptr<RebalanceListener> listener) {
  RETURN_IF_ERROR(CheckGroup("Subscribe"));
  if (assignment_.mode() == ConsumerAssignment::Mode::kManual) {
    return absl::FailedPreconditionError(
        "Subscribe: partitions are assigned manually; Unsubscribe first "
        "(subscribing and assigning are exclusive)");
  }
  if (topics.empty()) return Unsubscribe();
  for (const std::string& topic : topics) {
    if (topic.empty()) {
      return absl::InvalidArgumentError("Subscribe: empty topic name");
    }
  }
  listener_ = std::move(listener);
  if (assignment_.Subscribe(topics)) membership_->RequestRejoin();
  return absl::OkStatus();
}

absl::Status ConsumerImpl::Assign(
    const std::vector<TopicPartition>& partitions) {
  RETURN_IF_ERROR(CheckOpen("Assign"));
  if (assignment_.mode() == ConsumerAssignment::Mode::kSubscribed) {
    return absl::FailedPreconditionError(
        "Assign: the consumer is subscribed to topics; Unsubscribe first "
        "(subscribing and assigning are exclusive)");
  }
  if (partitions.empty()) return Unsubscribe();
  for (const TopicPartition& tp : partitions) {
    if (tp.topic.empty() || tp.partition < PartitionId(0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Assign: invalid partition ", tp.ToString()));
    }
  }
  // As Kafka: what was consumed so far is committed before the change.
  if (auto_commit() &&
      assignment_.mode() == ConsumerAssignment::Mode::kManual) {
    CommitConsumedAsync(nullptr);
  }
  assignment_.SetManual();
  assignment_.Assign(partitions, options_.group_id.empty()
                                     ? PositionSource::kReset
                                     : PositionSource::kCommitted);
  return absl::OkStatus();
}

absl::Status ConsumerImpl::Unsubscribe() {
  RETURN_IF_ERROR(CheckOpen("Unsubscribe"));
  absl::Status status;
  if (assignment_.mode() == ConsumerAssignment::Mode::kSubscribed) {
    // What was consumed is committed before the partitions are given up
    // (best effort: outside a stable generation there is nothing to do).
    if (auto_commit() && CommitGeneration().ok()) {
      (void)CommitOffsetsSync(Consumed());
    }
    RevokeForLeave();
    status = membership_->Leave();
  }
  assignment_.Reset();
  listener_ = nullptr;
  assigned_generation_ = -1;
  join_prepared_ = false;
  return status;
}

std::vector<TopicPartition> ConsumerImpl::Assignment() const {
  return assignment_.Partitions();
}

std::vector<std::string> ConsumerImpl::Subscription() const {
  if (assignment_.mode() != ConsumerAssignment::Mode::kSubscribed) return {};
  return assignment_.topics();
}

// --- Poll ------------------------------------------------------------------

absl::StatusOr<ConsumerRecords> ConsumerImpl::Poll(int64_t timeout_ms) {
  RETURN_IF_ERROR(CheckOpen("Poll"));
  if (assignment_.mode() == ConsumerAssignment::Mode::kNone) {
    return absl::FailedPreconditionError(
        "Poll: the consumer is neither subscribed to topics nor assigned "
        "partitions");
  }
  const absl::Time deadline =
      absl::Now() + absl::Milliseconds(std::max<int64_t>(0, timeout_ms));
  if (membership_) membership_->PollStarted(options_.clock->NowMs());
  absl::Cleanup poll_ended = [this] {
    if (membership_) membership_->PollEnded(options_.clock->NowMs());
  };
  while (true) {
    const uint64_t seen = signal_->events();
    if (signal_->TakeWakeup()) return ConsumerRecords();
    if (offsets_) offsets_->RunCompletions();
    RETURN_IF_ERROR(UpdateGroup());
    if (closed_ || assignment_.mode() == ConsumerAssignment::Mode::kNone) {
      return ConsumerRecords();  // a listener closed or unsubscribed us
    }
    MaybeAutoCommit();
    fetcher_.ProcessAnswers();
    RETURN_IF_ERROR(ResolvePositions());
    if (fetcher_.HasBuffered()) {
      ConsumerRecordsBuilder builder(
          static_cast<size_t>(options_.max_poll_records));
      const absl::Status collected = fetcher_.Collect(builder);
      // Send the next fetch before returning, so it is answered while the
      // application works through these records.
      fetcher_.SendFetches();
      RETURN_IF_ERROR(collected);
      if (builder.size() > 0) return std::move(builder).Build();
    } else {
      fetcher_.SendFetches();
    }
    const absl::Time now = absl::Now();
    if (now >= deadline) return ConsumerRecords();
    signal_->Wait(seen, std::min(deadline, NextRetry(now)));
  }
}

// --- Commits ---------------------------------------------------------------

std::map<TopicPartition, OffsetAndMetadata> ConsumerImpl::Consumed(
    const std::vector<TopicPartition>* only) const {
  std::map<TopicPartition, OffsetAndMetadata> consumed;
  auto add = [&](const TopicPartition& tp, const PartitionState& state) {
    if (!state.has_position()) return;
    consumed.emplace(tp, OffsetAndMetadata{.offset = state.position,
                                           .metadata = {},
                                           .leader_epoch = state.leader_epoch});
  };
  if (only == nullptr) {
    for (const auto& [tp, state] : assignment_.states()) add(tp, state);
  } else {
    for (const TopicPartition& tp : *only) {
      if (const PartitionState* state = assignment_.Find(tp)) add(tp, *state);
    }
  }
  return consumed;
}

absl::StatusOr<MemberGeneration> ConsumerImpl::CommitGeneration() const {
  if (assignment_.mode() != ConsumerAssignment::Mode::kSubscribed) {
    return MemberGeneration{};
  }
  std::optional<MemberGeneration> stable = membership_->Stable();
  if (!stable.has_value()) return membership_->NotStableError();
  return *std::move(stable);
}

absl::Status ConsumerImpl::CommitOffsetsSync(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets) {
  ASSIGN_OR_RETURN(MemberGeneration member, CommitGeneration());
  absl::Status status = offsets_->CommitSync(offsets, member);
  if (!status.ok() && member.generation_id >= 0) {
    membership_->OnCommitError(status, member.generation_id);
  }
  return status;
}

void ConsumerImpl::CommitConsumedAsync(CommitCallback done) {
  absl::StatusOr<MemberGeneration> member = CommitGeneration();
  if (!member.ok()) {
    offsets_->Fail(member.status(), std::move(done));
    return;
  }
  const int32_t generation = member->generation_id;
  offsets_->CommitAsync(
      Consumed(), *member,
      [this, generation, done = std::move(done)](absl::Status status) mutable {
        // Runs in RunCompletions, on the polling thread.
        if (!status.ok() && generation >= 0) {
          membership_->OnCommitError(status, generation);
        }
        if (done) done(std::move(status));
      });
}

absl::Status ConsumerImpl::CommitSync() {
  RETURN_IF_ERROR(CheckGroup("CommitSync"));
  offsets_->RunCompletions();
  return CommitOffsetsSync(Consumed());
}

absl::Status ConsumerImpl::CommitSync(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets) {
  RETURN_IF_ERROR(CheckGroup("CommitSync"));
  offsets_->RunCompletions();
  return CommitOffsetsSync(offsets);
}

void ConsumerImpl::CommitAsync(CommitCallback done) {
  if (absl::Status status = CheckGroup("CommitAsync"); !status.ok()) {
    if (done) done(std::move(status));
    return;
  }
  offsets_->RunCompletions();
  CommitConsumedAsync(std::move(done));
}

void ConsumerImpl::MaybeAutoCommit() {
  if (!auto_commit()) return;
  const int64_t now = options_.clock->NowMs();
  if (now < next_auto_commit_ms_) return;
  next_auto_commit_ms_ = now + options_.auto_commit_interval_ms;
  // Outside a stable generation there is nothing this member may commit;
  // the next interval tries again (Kafka logs and skips).
  if (!CommitGeneration().ok() || Consumed().empty()) return;
  CommitConsumedAsync(nullptr);
}

absl::StatusOr<std::optional<OffsetAndMetadata>> ConsumerImpl::Committed(
    const TopicPartition& tp) {
  RETURN_IF_ERROR(CheckGroup("Committed"));
  ASSIGN_OR_RETURN(auto committed,
                   offsets_->Committed({tp}, absl::Now() + kDefaultApiTimeout));
  auto it = committed.find(tp);
  if (it == committed.end()) return std::nullopt;
  return std::move(it->second);
}

// --- Identity and shutdown -------------------------------------------------

std::string ConsumerImpl::member_id() const {
  return membership_ ? membership_->Current().member_id : std::string();
}

int32_t ConsumerImpl::generation_id() const {
  return membership_ ? membership_->Current().generation_id : -1;
}

absl::Status ConsumerImpl::Close() {
  if (closed_) return absl::OkStatus();
  absl::Status result;
  if (offsets_) offsets_->RunCompletions();
  // Auto-commit as Kafka's close does; outside a stable generation (mid
  // rebalance, or removed) there is nothing this member may commit.
  if (auto_commit() && assignment_.mode() != ConsumerAssignment::Mode::kNone &&
      CommitGeneration().ok()) {
    if (std::map<TopicPartition, OffsetAndMetadata> consumed = Consumed();
        !consumed.empty()) {
      result = CommitOffsetsSync(consumed);
    }
  }
  if (assignment_.mode() == ConsumerAssignment::Mode::kSubscribed) {
    RevokeForLeave();
    absl::Status left = membership_->Leave();
    if (result.ok()) result = std::move(left);
  }
  if (offsets_) offsets_->FinishAsync(absl::Now() + kCloseTimeout);
  closed_ = true;
  if (timers_) timers_->Shutdown();
  assignment_.Reset();
  listener_ = nullptr;
  return result;
}

}  // namespace client

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(
    Broker& broker, ConsumerOptions options) {
  return Create(NewSingleBrokerDirectory(broker), std::move(options));
}

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(
    std::shared_ptr<BrokerDirectory> brokers, ConsumerOptions options) {
  if (brokers == nullptr) {
    return absl::InvalidArgumentError("a consumer needs brokers");
  }
  for (std::string& name : options.partition_assignment_strategy) {
    if (absl::StatusOr<std::string> short_name =
            client::AssignorShortName(name);
        short_name.ok()) {
      name = *std::move(short_name);
    }
  }
  RETURN_IF_ERROR(client::ValidateConsumerOptions(options));
  auto router = std::make_shared<client::Router>(std::move(brokers));
  if (!options.clock) {
    ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, router->AnyBroker());
    options.clock = broker->clock();
  }
  if (options.group_id.empty()) options.enable_auto_commit = false;
  ASSIGN_OR_RETURN(std::unique_ptr<client::ConsumerGroupProtocol> protocol,
                   client::ConsumerGroupProtocol::Create(
                       router, options.partition_assignment_strategy));
  return std::unique_ptr<Consumer>(new client::ConsumerImpl(
      std::move(router), std::move(options), std::move(protocol)));
}

}  // namespace rill
