// client/consumer_offsets.h — committing offsets to the group coordinator
// and reading them back. The coordinator is found through the Router, and
// found again when it moves: synchronous calls retry until their deadline,
// asynchronous commits report the error (as Kafka's do) and the next one
// goes to the coordinator found afresh.
#ifndef RILL_CLIENT_CONSUMER_OFFSETS_H_
#define RILL_CLIENT_CONSUMER_OFFSETS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/consumer_signal.h"
#include "client/group_membership.h"
#include "client/router.h"
#include "rill/client/consumer.h"
#include "rill/group/group_coordinator.h"

namespace rill::client {

// ConsumerOffsets is owned by a consumer; the polling thread calls it. An
// async commit's callback is queued by the coordinator's thread and run by
// the polling thread (RunCompletions), as Kafka runs them inside poll.
class ConsumerOffsets {
 public:
  ConsumerOffsets(std::shared_ptr<Router> router, std::string group_id,
                  std::shared_ptr<ConsumerSignal> signal);
  ConsumerOffsets(const ConsumerOffsets&) = delete;
  ConsumerOffsets& operator=(const ConsumerOffsets&) = delete;

  // CommitSync commits `offsets` as `member` and waits (up to
  // kDefaultApiTimeout, finding the coordinator again as it moves). The
  // first partition's error is returned, naming the partition.
  // kInvalidArgument for a negative offset.
  absl::Status CommitSync(
      const std::map<TopicPartition, OffsetAndMetadata>& offsets,
      const MemberGeneration& member);
  // CommitAsync commits and queues `done` to run on a later
  // RunCompletions. `done` may be null.
  void CommitAsync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                   const MemberGeneration& member,
                   absl::AnyInvocable<void(absl::Status)> done);
  // Fail queues `done` with `status` without committing (e.g. not in a
  // stable generation), keeping callbacks in order.
  void Fail(absl::Status status, absl::AnyInvocable<void(absl::Status)> done);
  // RunCompletions runs the callbacks of finished async commits, in order.
  void RunCompletions();
  // FinishAsync waits (until `deadline`) for async commits in flight and
  // runs their callbacks.
  void FinishAsync(absl::Time deadline);

  // Committed returns the group's committed offsets of `partitions`
  // (absent when nothing is committed), asking again while the coordinator
  // moves, until `deadline` (a past one: a single attempt).
  absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> Committed(
      const std::vector<TopicPartition>& partitions, absl::Time deadline);

 private:
  struct Inbox;
  static OffsetCommitRequest MakeRequest(
      const std::string& group_id,
      const std::map<TopicPartition, OffsetAndMetadata>& offsets,
      const MemberGeneration& member);
  static absl::Status Summarize(const std::vector<TopicPartition>& partitions,
                                const OffsetCommitResponse& response);

  const std::shared_ptr<Router> router_;
  const std::string group_id_;
  const std::shared_ptr<ConsumerSignal> signal_;
  const std::shared_ptr<Inbox> inbox_;
  uint64_t next_id_ = 1;
  // Callbacks of commits not yet run, by commit id (ids grow: in order),
  // and the results that came back, run once every earlier one has.
  std::map<uint64_t, absl::AnyInvocable<void(absl::Status)>> pending_;
  std::map<uint64_t, absl::Status> finished_;
};

}  // namespace rill::client

#endif  // RILL_CLIENT_CONSUMER_OFFSETS_H_
