// The controller's lifecycle, its write loop, broker membership and
// sessions, and its metrics.
#include "replication/controller_impl.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "replication/topic_configs.h"
#include "rill/error.h"
#include "util/status_macros.h"

namespace rill::replication {

absl::StatusOr<std::unique_ptr<Controller>> Controller::Create(
    ControllerOptions options) {
  if (options.store == nullptr) {
    return absl::InvalidArgumentError("ControllerOptions.store is required");
  }
  if (options.broker_session_timeout_ms <= 0 ||
      options.leader_imbalance_check_interval_seconds <= 0 ||
      options.leader_imbalance_per_broker_percentage < 0 ||
      options.default_replication_factor < 1 || options.num_partitions < 1 ||
      options.min_insync_replicas < 1) {
    return MakeError(ErrorReason::kInvalidConfig,
                     "controller options: timeouts and intervals must be "
                     "positive, replication factor, partitions and "
                     "min.insync.replicas at least 1");
  }
  if (options.clock == nullptr) options.clock = DefaultClock();
  return std::make_unique<internal::ControllerImpl>(std::move(options));
}

namespace internal {
namespace {

// Writes retry only because another write committed in between, so each
// retry follows progress; the bound guards against a store that always
// refuses.
constexpr int kMaxWriteAttempts = 64;

absl::Status StaleEpoch(NodeId id, int64_t epoch) {
  return MakeError(ErrorReason::kStaleBrokerEpoch,
                   absl::StrCat("broker ", id.value(), " epoch ", epoch,
                                " is not its current registration"));
}

absl::Status NotRegistered(NodeId id) {
  return MakeError(ErrorReason::kBrokerIdNotRegistered,
                   absl::StrCat("broker ", id.value(), " is not registered"));
}

}  // namespace

ControllerImpl::ControllerImpl(ControllerOptions options)
    : options_(std::move(options)),
      store_(options_.store),
      clock_(options_.clock) {
  const int64_t now = clock_->NowMs();
  next_rebalance_ms_ =
      now + options_.leader_imbalance_check_interval_seconds * 1000;
  placement_rng_.seed(options_.assignment_seed >= 0
                          ? static_cast<uint64_t>(options_.assignment_seed)
                          : std::random_device{}());
  // Brokers already live get a fresh session: this controller has not
  // heard from them yet, which says nothing about them.
  for (const auto& [id, broker] : store_->image()->brokers()) {
    if (!broker.fenced) {
      sessions_[id] = {.epoch = broker.epoch, .last_heard_ms = now};
    }
  }
}

absl::Status ControllerImpl::Write(Plan plan) {
  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    ChangeBuilder changes(store_->image());
    RETURN_IF_ERROR(plan(changes));
    if (changes.records().empty()) return absl::OkStatus();
    const ChangeCounts counts = changes.counts();
    const int64_t expected = changes.base().version();
    absl::StatusOr<int64_t> committed =
        store_->Commit(expected, changes.TakeRecords());
    if (committed.ok()) {
      absl::MutexLock lock(&mu_);
      counts_ += counts;
      return absl::OkStatus();
    }
    if (!absl::IsAborted(committed.status())) return committed.status();
  }
  return absl::AbortedError(absl::StrCat(
      "metadata moved under ", kMaxWriteAttempts, " attempts to write"));
}

ControllerMetrics ControllerImpl::metrics() const {
  ControllerMetrics m;
  {
    absl::MutexLock lock(&mu_);
    m.leader_elections = counts_.leader_elections;
    m.unclean_leader_elections = counts_.unclean_leader_elections;
    m.isr_shrinks = counts_.isr_shrinks;
    m.isr_expands = counts_.isr_expands;
  }
  const std::shared_ptr<const ClusterImage> image = store_->image();
  for (const auto& [id, broker] : image->brokers()) {
    ++(broker.fenced ? m.fenced_brokers : m.active_brokers);
  }
  for (const auto& [name, topic] : image->topics()) {
    const auto min_isr = static_cast<size_t>(
        MinInsyncReplicas(*topic, options_.min_insync_replicas));
    for (const PartitionState& p : topic->partitions) {
      m.offline_partitions += p.has_leader() ? 0 : 1;
      m.under_replicated_partitions += p.isr.size() < p.replicas.size();
      m.under_min_isr_partitions += p.isr.size() < min_isr;
      m.preferred_replica_imbalance +=
          !p.replicas.empty() && p.leader != p.replicas.front();
    }
  }
  return m;
}

absl::StatusOr<int64_t> ControllerImpl::RegisterBroker(
    NodeId id, std::vector<BrokerEndpoint> endpoints,
    const RegistrationOptions& options) {
  if (id.value() < 0) {
    return MakeError(ErrorReason::kInvalidRequest,
                     absl::StrCat("broker id ", id.value(), " is negative"));
  }
  int64_t epoch = -1;
  RETURN_IF_ERROR(Write([&](ChangeBuilder& changes) -> absl::Status {
    // A live earlier incarnation died unnoticed: what it led and its ISR
    // places go first, as for any dead broker.
    RETURN_IF_ERROR(AddFence(changes, id));
    epoch = changes.next_offset();
    if (!options.previous_shutdown_clean) {
      RETURN_IF_ERROR(AddForgetUnclean(changes, id));
    }
    RETURN_IF_ERROR(changes.Add(RegisterBrokerRecord{
        .id = id, .epoch = epoch, .endpoints = endpoints, .fenced = false}));
    return ReelectAll(changes, std::nullopt);
  }));
  absl::MutexLock lock(&mu_);
  sessions_[id] = {.epoch = epoch, .last_heard_ms = clock_->NowMs()};
  return epoch;
}

absl::Status ControllerImpl::Heartbeat(NodeId id, int64_t broker_epoch) {
  const std::shared_ptr<const ClusterImage> image = store_->image();
  const BrokerRegistration* broker = image->FindBroker(id);
  if (broker == nullptr || broker->epoch != broker_epoch) {
    return StaleEpoch(id, broker_epoch);
  }
  bool shut_down = false;
  {
    absl::MutexLock lock(&mu_);
    Session& session = sessions_[id];
    if (session.epoch != broker_epoch) session = {.epoch = broker_epoch};
    session.last_heard_ms = clock_->NowMs();
    shut_down = session.shut_down;
  }
  if (!broker->fenced || shut_down) return absl::OkStatus();
  // Fenced but talking: it was cut off or paused, not dead.
  return Write([&](ChangeBuilder& changes) -> absl::Status {
    const BrokerRegistration* b = changes.image().FindBroker(id);
    if (b == nullptr || b->epoch != broker_epoch) {
      return StaleEpoch(id, broker_epoch);
    }
    if (!b->fenced) return absl::OkStatus();
    RETURN_IF_ERROR(
        changes.Add(UnfenceBrokerRecord{.id = id, .epoch = broker_epoch}));
    return ReelectAll(changes, std::nullopt);
  });
}

absl::Status ControllerImpl::FenceBroker(NodeId id) {
  return Write([&](ChangeBuilder& changes) -> absl::Status {
    if (changes.image().FindBroker(id) == nullptr) return NotRegistered(id);
    return AddFence(changes, id);
  });
}

absl::Status ControllerImpl::ControlledShutdown(NodeId id,
                                                int64_t broker_epoch) {
  // Returns whether the broker is still up, or why the request is stale.
  auto current = [&](const ClusterImage& image) -> absl::StatusOr<bool> {
    const BrokerRegistration* b = image.FindBroker(id);
    if (b == nullptr || b->epoch != broker_epoch) {
      return StaleEpoch(id, broker_epoch);
    }
    return !b->fenced;
  };
  RETURN_IF_ERROR(current(*store_->image()).status());
  {
    absl::MutexLock lock(&mu_);
    sessions_[id] = {.epoch = broker_epoch,
                     .last_heard_ms = clock_->NowMs(),
                     .shut_down = true};
  }
  // First leadership and ISR places move while the broker still serves, so
  // clients and followers have somewhere to go; then it is fenced.
  RETURN_IF_ERROR(Write([&](ChangeBuilder& changes) -> absl::Status {
    ASSIGN_OR_RETURN(bool up, current(changes.image()));
    return up ? ReelectAll(changes, id) : absl::OkStatus();
  }));
  return Write([&](ChangeBuilder& changes) -> absl::Status {
    ASSIGN_OR_RETURN(bool up, current(changes.image()));
    return up ? AddFence(changes, id) : absl::OkStatus();
  });
}

absl::Status ControllerImpl::UnregisterBroker(NodeId id) {
  RETURN_IF_ERROR(Write([&](ChangeBuilder& changes) -> absl::Status {
    const BrokerRegistration* b = changes.image().FindBroker(id);
    if (b == nullptr) return NotRegistered(id);
    const int64_t epoch = b->epoch;
    RETURN_IF_ERROR(AddFence(changes, id));
    return changes.Add(UnregisterBrokerRecord{.id = id, .epoch = epoch});
  }));
  absl::MutexLock lock(&mu_);
  sessions_.erase(id);
  return absl::OkStatus();
}

absl::Status ControllerImpl::Tick() {
  const int64_t now = clock_->NowMs();
  const std::shared_ptr<const ClusterImage> image = store_->image();
  std::vector<std::pair<NodeId, int64_t>> expired;  // id, epoch
  bool rebalance = false;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, broker] : image->brokers()) {
      if (broker.fenced) continue;
      Session& session = sessions_[id];
      if (session.epoch != broker.epoch) {
        // First sight of this incarnation.
        session = {.epoch = broker.epoch, .last_heard_ms = now};
      } else if (now - session.last_heard_ms >
                 options_.broker_session_timeout_ms) {
        expired.emplace_back(id, broker.epoch);
      }
    }
    if (options_.auto_leader_rebalance_enable && now >= next_rebalance_ms_) {
      rebalance = true;
      next_rebalance_ms_ =
          now + options_.leader_imbalance_check_interval_seconds * 1000;
    }
  }
  if (!expired.empty()) {
    // One broker at a time, in id order, so a partition losing its whole
    // ISR keeps the member fenced last.
    RETURN_IF_ERROR(Write([&](ChangeBuilder& changes) -> absl::Status {
      for (const auto& [id, epoch] : expired) {
        const BrokerRegistration* b = changes.image().FindBroker(id);
        if (b != nullptr && b->epoch == epoch) {
          RETURN_IF_ERROR(AddFence(changes, id));
        }
      }
      return absl::OkStatus();
    }));
  }
  if (rebalance) {
    int32_t moved = 0;
    RETURN_IF_ERROR(Write([&](ChangeBuilder& changes) {
      return AddPreferred(changes, /*imbalanced_only=*/true, &moved);
    }));
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace rill::replication
