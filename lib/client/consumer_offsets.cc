#include "client/consumer_offsets.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::client {

// Inbox receives async commit results from the coordinator's threads.
struct ConsumerOffsets::Inbox {
  absl::Mutex mu;
  std::map<uint64_t, absl::Status> done ABSL_GUARDED_BY(mu);
};

namespace {

absl::Status CheckOffsets(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets) {
  for (const auto& [tp, om] : offsets) {
    if (om.offset < Offset(0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot commit negative offset ", om.offset.value(),
                       " for ", tp.ToString()));
    }
  }
  return absl::OkStatus();
}

std::vector<TopicPartition> Keys(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets) {
  std::vector<TopicPartition> keys;
  keys.reserve(offsets.size());
  for (const auto& [tp, om] : offsets) keys.push_back(tp);
  return keys;
}

// CoordinatorErrorOf is the first coordinator error among a commit's
// partitions (the coordinator moved or is loading): OK if none.
absl::Status CoordinatorErrorOf(const OffsetCommitResponse& response) {
  for (const absl::Status& status : response.partition_statuses) {
    if (IsCoordinatorError(status)) return status;
  }
  return absl::OkStatus();
}

}  // namespace

ConsumerOffsets::ConsumerOffsets(std::shared_ptr<Router> router,
                                 std::string group_id,
                                 std::shared_ptr<ConsumerSignal> signal)
    : router_(std::move(router)),
      group_id_(std::move(group_id)),
      signal_(std::move(signal)),
      inbox_(std::make_shared<Inbox>()) {}

OffsetCommitRequest ConsumerOffsets::MakeRequest(
    const std::string& group_id,
    const std::map<TopicPartition, OffsetAndMetadata>& offsets,
    const MemberGeneration& member) {
  OffsetCommitRequest request{.group_id = group_id,
                              .generation_id = member.generation_id,
                              .member_id = member.member_id,
                              .group_instance_id = member.group_instance_id,
                              .offsets = {}};
  request.offsets.reserve(offsets.size());
  for (const auto& [tp, om] : offsets) {
    request.offsets.push_back({.tp = tp,
                               .offset = om.offset,
                               .leader_epoch = om.leader_epoch,
                               .metadata = om.metadata});
  }
  return request;
}

absl::Status ConsumerOffsets::Summarize(
    const std::vector<TopicPartition>& partitions,
    const OffsetCommitResponse& response) {
  for (size_t i = 0; i < response.partition_statuses.size(); ++i) {
    const absl::Status& status = response.partition_statuses[i];
    if (status.ok()) continue;
    return util::Annotate(
        status, i < partitions.size()
                    ? absl::StrCat("commit of ", partitions[i].ToString())
                    : std::string("commit"));
  }
  return absl::OkStatus();
}

absl::Status ConsumerOffsets::CommitSync(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets,
    const MemberGeneration& member) {
  RETURN_IF_ERROR(CheckOffsets(offsets));
  if (offsets.empty()) return absl::OkStatus();
  const OffsetCommitRequest request = MakeRequest(group_id_, offsets, member);
  const absl::Time deadline = absl::Now() + kDefaultApiTimeout;
  absl::StatusOr<OffsetCommitResponse> response =
      router_->CallCoordinator<OffsetCommitResponse>(
          group_id_, deadline,
          [&](GroupCoordinator& coordinator)
              -> absl::StatusOr<OffsetCommitResponse> {
            struct Wait {
              absl::Notification done;
              OffsetCommitResponse response;
            };
            auto wait = std::make_shared<Wait>();
            coordinator.CommitOffsets(request,
                                      [wait](OffsetCommitResponse response) {
                                        wait->response = std::move(response);
                                        wait->done.Notify();
                                      });
            if (!wait->done.WaitForNotificationWithDeadline(deadline)) {
              return MakeError(
                  ErrorReason::kRequestTimedOut,
                  absl::StrCat("offset commit for group ", group_id_,
                               " got no answer within ",
                               absl::FormatDuration(kDefaultApiTimeout)));
            }
            RETURN_IF_ERROR(CoordinatorErrorOf(wait->response));
            return std::move(wait->response);
          });
  if (!response.ok()) return response.status();
  return Summarize(Keys(offsets), *response);
}

void ConsumerOffsets::CommitAsync(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets,
    const MemberGeneration& member,
    absl::AnyInvocable<void(absl::Status)> done) {
  if (absl::Status check = CheckOffsets(offsets); !check.ok()) {
    Fail(std::move(check), std::move(done));
    return;
  }
  if (offsets.empty()) {
    Fail(absl::OkStatus(), std::move(done));
    return;
  }
  absl::StatusOr<std::shared_ptr<Broker>> coordinator =
      router_->Coordinator(group_id_);
  if (!coordinator.ok()) {
    Fail(coordinator.status(), std::move(done));
    return;
  }
  const uint64_t id = next_id_++;
  pending_.emplace(id, std::move(done));
  (*coordinator)
      ->group_coordinator()
      .CommitOffsets(MakeRequest(group_id_, offsets, member),
                     [inbox = inbox_, signal = signal_, router = router_,
                      group_id = group_id_, id,
                      partitions = Keys(offsets)](OffsetCommitResponse r) {
                       // Not retried (as Kafka's async commits are not); the
                       // next commit finds the coordinator again.
                       if (!CoordinatorErrorOf(r).ok()) {
                         router->InvalidateCoordinator(group_id);
                       }
                       {
                         absl::MutexLock lock(&inbox->mu);
                         inbox->done.emplace(id, Summarize(partitions, r));
                       }
                       signal->Notify();
                     });
}

void ConsumerOffsets::Fail(absl::Status status,
                           absl::AnyInvocable<void(absl::Status)> done) {
  const uint64_t id = next_id_++;
  pending_.emplace(id, std::move(done));
  finished_.emplace(id, std::move(status));
}

void ConsumerOffsets::RunCompletions() {
  {
    absl::MutexLock lock(&inbox_->mu);
    finished_.merge(inbox_->done);
  }
  // In commit order, as Kafka promises; a callback may commit again.
  while (!pending_.empty()) {
    auto result = finished_.find(pending_.begin()->first);
    if (result == finished_.end()) return;
    absl::AnyInvocable<void(absl::Status)> done =
        std::move(pending_.begin()->second);
    absl::Status status = std::move(result->second);
    pending_.erase(pending_.begin());
    finished_.erase(result);
    if (done) done(std::move(status));
  }
}

void ConsumerOffsets::FinishAsync(absl::Time deadline) {
  while (true) {
    const uint64_t seen = signal_->events();
    RunCompletions();
    if (pending_.empty() || absl::Now() >= deadline) return;
    signal_->Wait(seen, deadline, /*heed_wakeup=*/false);
  }
}

absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>>
ConsumerOffsets::Committed(const std::vector<TopicPartition>& partitions,
                           absl::Time deadline) {
  ASSIGN_OR_RETURN(std::vector<CommittedOffset> committed,
                   router_->CallCoordinator<std::vector<CommittedOffset>>(
                       group_id_, deadline, [&](GroupCoordinator& coordinator) {
                         return coordinator.FetchOffsets(group_id_, partitions);
                       }));
  std::map<TopicPartition, OffsetAndMetadata> out;
  for (CommittedOffset& c : committed) {
    if (c.offset < Offset(0)) continue;
    out.emplace(c.tp, OffsetAndMetadata{.offset = c.offset,
                                        .metadata = std::move(c.metadata),
                                        .leader_epoch = c.leader_epoch});
  }
  return out;
}

}  // namespace rill::client
