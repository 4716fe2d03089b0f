// completions.h — answers decided under a group's lock, delivered after it.
//
// The coordinator never calls a user's callback, or GroupLog::Append, while
// holding a lock. Code running under a group's mutex records what to answer
// in a Completions, and the caller runs it once the lock is released:
//
//   Completions done(&appends_);
//   {
//     absl::MutexLock lock(&group->mu);
//     done.Join(std::move(callback), response);
//   }
//   done.Run();
#ifndef RILL_GROUP_COMPLETIONS_H_
#define RILL_GROUP_COMPLETIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "group/append_queue.h"
#include "rill/group/group_coordinator.h"

namespace rill::group {

// JoinError is a JoinGroup answer carrying only an error (and the member id
// the client should use next, for kMemberIdRequired).
inline JoinGroupResponse JoinError(std::string member_id, absl::Status status) {
  JoinGroupResponse r;
  r.status = std::move(status);
  r.member_id = std::move(member_id);
  return r;
}

// SyncError is a SyncGroup answer carrying only an error.
inline SyncGroupResponse SyncError(absl::Status status) {
  SyncGroupResponse r;
  r.status = std::move(status);
  return r;
}

// Completions belongs to one request (or timer) on one thread. Not
// thread-safe. Destroying it runs what is left, so it must be destroyed with
// no lock held.
class Completions {
 public:
  explicit Completions(AppendQueue* appends) : appends_(appends) {}
  ~Completions() { Run(); }
  Completions(const Completions&) = delete;
  Completions& operator=(const Completions&) = delete;

  // Join and Sync record an answer; a null callback is ignored.
  void Join(GroupCoordinator::JoinCallback done, JoinGroupResponse response) {
    if (done) joins_.emplace_back(std::move(done), std::move(response));
  }
  void Sync(GroupCoordinator::SyncCallback done, SyncGroupResponse response) {
    if (done) syncs_.emplace_back(std::move(done), std::move(response));
  }
  // Later records work to run after the lock is released.
  void Later(absl::AnyInvocable<void()> fn) { later_.push_back(std::move(fn)); }
  // DrainAppends records that batches were queued on the AppendQueue.
  void DrainAppends() { drain_ = true; }

  // Run drains queued appends, then invokes the recorded callbacks and
  // work, in that order.
  void Run() {
    if (drain_) {
      drain_ = false;
      appends_->Drain();
    }
    auto joins = std::move(joins_);
    joins_.clear();
    auto syncs = std::move(syncs_);
    syncs_.clear();
    for (auto& [done, response] : joins) done(std::move(response));
    for (auto& [done, response] : syncs) done(std::move(response));
    auto later = std::move(later_);
    later_.clear();
    for (auto& fn : later) fn();
  }

 private:
  AppendQueue* const appends_;
  bool drain_ = false;
  std::vector<std::pair<GroupCoordinator::JoinCallback, JoinGroupResponse>>
      joins_;
  std::vector<std::pair<GroupCoordinator::SyncCallback, SyncGroupResponse>>
      syncs_;
  std::vector<absl::AnyInvocable<void()>> later_;
};

}  // namespace rill::group

#endif  // RILL_GROUP_COMPLETIONS_H_
