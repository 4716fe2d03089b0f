#include "testing/link_fault_transport.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace rill::testing::internal {
namespace {

absl::Status LinkCut(NodeId from, NodeId to) {
  return absl::UnavailableError(absl::StrCat("the link between broker ",
                                             from.value(), " and broker ",
                                             to.value(), " is cut (injected)"));
}

absl::Status ShutDown() {
  return absl::UnavailableError("the cluster's network is shut down");
}

}  // namespace

LinkFaultTransport::LinkFaultTransport(
    std::shared_ptr<replication::ReplicaTransport> base,
    std::shared_ptr<const Links> links, util::TimerQueue* timers)
    : base_(std::move(base)), links_(std::move(links)), timers_(timers) {}

void LinkFaultTransport::Fetch(NodeId from, NodeId leader,
                               replication::ReplicaFetchRequest request,
                               FetchCallback done) {
  Send<replication::ReplicaFetchResponse>(
      from, leader,
      [base = base_, from, leader,
       request = std::move(request)](FetchCallback back) mutable {
        base->Fetch(from, leader, std::move(request), std::move(back));
      },
      std::move(done));
}

void LinkFaultTransport::OffsetsForLeaderEpoch(
    NodeId from, NodeId leader,
    std::vector<replication::EpochEndOffsetQuery> queries, EpochCallback done) {
  Send<std::vector<replication::EpochEndOffsetAnswer>>(
      from, leader,
      [base = base_, from, leader,
       queries = std::move(queries)](EpochCallback back) mutable {
        base->OffsetsForLeaderEpoch(from, leader, std::move(queries),
                                    std::move(back));
      },
      std::move(done));
}

template <typename T>
void LinkFaultTransport::Send(NodeId from, NodeId to, Sender<T> send,
                              Callback<T> done) {
  const Route route{.from = from,
                    .to = to,
                    .from_generation = links_->Generation(from.value()),
                    .to_generation = links_->Generation(to.value())};
  if (absl::Status open = Open(route); !open.ok()) {
    done(std::move(open));
    return;
  }
  const int64_t latency_ms = links_->LatencyMs(from.value(), to.value());
  if (latency_ms <= 0) {
    send([self = shared_from_this(), route,
          done = std::move(done)](absl::StatusOr<T> answer) mutable {
      self->Arrive(route, std::move(answer), std::move(done));
    });
    return;
  }
  // There ...
  Delay(latency_ms,
        [self = shared_from_this(), route, latency_ms, send = std::move(send),
         done = std::move(done)](bool due) mutable {
          if (!due) {
            done(ShutDown());
            return;
          }
          if (absl::Status open = self->Open(route); !open.ok()) {
            done(std::move(open));
            return;
          }
          // ... and back again.
          send([self, route, latency_ms,
                done = std::move(done)](absl::StatusOr<T> answer) mutable {
            self->Delay(latency_ms, [self, route, answer = std::move(answer),
                                     done = std::move(done)](bool due) mutable {
              if (!due) {
                done(ShutDown());
                return;
              }
              self->Arrive(route, std::move(answer), std::move(done));
            });
          });
        });
}

absl::Status LinkFaultTransport::Open(const Route& route) const {
  if (!links_->Connected(route.from.value(), route.to.value())) {
    return LinkCut(route.from, route.to);
  }
  if (links_->Generation(route.from.value()) != route.from_generation ||
      links_->Generation(route.to.value()) != route.to_generation) {
    return absl::UnavailableError(absl::StrCat(
        "the connection between broker ", route.from.value(), " and broker ",
        route.to.value(), " closed while a call was on it"));
  }
  return absl::OkStatus();
}

template <typename T>
void LinkFaultTransport::Arrive(const Route& route, absl::StatusOr<T> answer,
                                Callback<T> done) const {
  if (absl::Status open = Open(route); !open.ok()) {
    done(std::move(open));
    return;
  }
  done(std::move(answer));
}

void LinkFaultTransport::Delay(int64_t ms, Step step) {
  {
    absl::MutexLock lock(&mu_);
    if (!shutdown_) {
      const uint64_t id = next_id_++;
      delayed_.emplace(id, std::move(step));
      timers_->ScheduleAfter(
          ms, [self = shared_from_this(), id] { self->Fire(id); });
      return;
    }
  }
  step(false);
}

void LinkFaultTransport::Fire(uint64_t id) {
  Step step;
  {
    absl::MutexLock lock(&mu_);
    auto it = delayed_.find(id);
    if (it == delayed_.end()) return;  // Shutdown took it
    step = std::move(it->second);
    delayed_.erase(it);
  }
  step(true);
}

void LinkFaultTransport::Shutdown() {
  std::map<uint64_t, Step> delayed;
  {
    absl::MutexLock lock(&mu_);
    shutdown_ = true;
    delayed.swap(delayed_);
  }
  for (auto& [id, step] : delayed) step(false);
}

}  // namespace rill::testing::internal
