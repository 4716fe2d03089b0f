// LinkFaultTransport: replica traffic that crosses the cluster's simulated
// network (testing/links.h).
//
//   auto transport = std::make_shared<LinkFaultTransport>(
//       NewInProcessReplicaTransport(find), links, timers.get());
//   links->Cut(1, 2);  // broker 1's fetches from 2 fail, and 2's from 1
//   ...
//   transport->Shutdown();  // before `timers` goes
#ifndef RILL_TESTING_LINK_FAULT_TRANSPORT_H_
#define RILL_TESTING_LINK_FAULT_TRANSPORT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "rill/replication/replica_transport.h"
#include "testing/links.h"
#include "util/timer_queue.h"

namespace rill::testing::internal {

// LinkFaultTransport carries replica traffic over another transport as the
// Links allow. A call across a cut link fails at once with kUnavailable, and
// so does one whose link was cut, or one of whose ends dropped its
// connections (stopped), while it was out: the request or answer is lost on
// the way. A link's latency delays the request and then the answer by that
// much each, on the shared `timers` thread: no thread per call, and the
// calling thread never waits.
//
// Owned by shared_ptr (calls in flight keep it alive). Thread-safe; every
// callback runs exactly once, with no lock of this class held. The owner
// calls Shutdown before `timers` is shut down or destroyed.
class LinkFaultTransport final
    : public replication::ReplicaTransport,
      public std::enable_shared_from_this<LinkFaultTransport> {
 public:
  LinkFaultTransport(std::shared_ptr<replication::ReplicaTransport> base,
                     std::shared_ptr<const Links> links,
                     util::TimerQueue* timers);
  LinkFaultTransport(const LinkFaultTransport&) = delete;
  LinkFaultTransport& operator=(const LinkFaultTransport&) = delete;

  void Fetch(NodeId from, NodeId leader,
             replication::ReplicaFetchRequest request,
             FetchCallback done) override;
  void OffsetsForLeaderEpoch(
      NodeId from, NodeId leader,
      std::vector<replication::EpochEndOffsetQuery> queries,
      EpochCallback done) override;

  // Shutdown answers every delayed call with kUnavailable and stops using
  // `timers`; delayed calls after it fail at once. Idempotent.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  template <typename T>
  using Callback = absl::AnyInvocable<void(absl::StatusOr<T>)>;
  template <typename T>
  using Sender = absl::AnyInvocable<void(Callback<T>)>;
  // A delayed step: called with true when due, false at Shutdown.
  using Step = absl::AnyInvocable<void(bool due)>;

  // Route is a call's way between two brokers, with each end's connection
  // generation when it was sent.
  struct Route {
    NodeId from;
    NodeId to;
    uint64_t from_generation;
    uint64_t to_generation;
  };

  // Send makes one call from `from` to `to` through `send`, applying the
  // link's state on the way there and back.
  template <typename T>
  void Send(NodeId from, NodeId to, Sender<T> send, Callback<T> done);
  // Open is OK while the route can carry traffic: the link is up and
  // neither end dropped its connections since the call was sent.
  absl::Status Open(const Route& route) const;
  // Arrive gives `done` the answer unless the route closed meanwhile.
  template <typename T>
  void Arrive(const Route& route, absl::StatusOr<T> answer,
              Callback<T> done) const;
  // Delay runs `step` after `ms` on the timer thread (or at Shutdown).
  void Delay(int64_t ms, Step step) ABSL_LOCKS_EXCLUDED(mu_);
  void Fire(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);

  const std::shared_ptr<replication::ReplicaTransport> base_;
  const std::shared_ptr<const Links> links_;

  util::TimerQueue* const timers_;
  // Held while scheduling on timers_ (whose callbacks run without its own
  // lock, so the order is always this one first).
  absl::Mutex mu_;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Step> delayed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rill::testing::internal

#endif  // RILL_TESTING_LINK_FAULT_TRANSPORT_H_
