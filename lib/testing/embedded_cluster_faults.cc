// EmbeddedCluster's fault injection: broker lifecycle (kill, stop, start),
// the simulated network, disks and injected request errors.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "rill/testing/embedded_cluster.h"
#include "testing/cluster_network.h"
#include "util/status_macros.h"

namespace rill::testing {
namespace {

// How long a stopped broker may stay referenced (by a fetch in flight, say)
// before a lifecycle call gives up waiting to reopen its storage.
constexpr absl::Duration kGoneTimeout = absl::Seconds(30);

}  // namespace

// --- Setup ------------------------------------------------------------------

absl::Status EmbeddedCluster::BuildNetwork() {
  network_ = std::make_unique<Network>();
  network_->timers = std::make_unique<util::TimerQueue>(clock_);
  network_->transport = std::make_shared<internal::LinkFaultTransport>(
      transport_, network_->links, network_->timers.get());
  for (int i = 0; i < options_.brokers; ++i) {
    auto store = std::make_shared<internal::LinkedMetadataStore>(
        store_, network_->links, i);
    network_->controllers.push_back(
        std::make_shared<internal::LinkedController>(controller_, store,
                                                     network_->links, i));
    network_->stores.push_back(std::move(store));
  }
  return absl::OkStatus();
}

void EmbeddedCluster::ScheduleTick() {
  const int64_t interval_ms =
      std::max<int64_t>(1, options_.broker_session_timeout_ms / 4);
  network_->timers->ScheduleAfter(interval_ms, [this] {
    (void)controller_->Tick();
    ScheduleTick();
  });
}

void EmbeddedCluster::WatchClockForTicks() {
  // A clock runs its observers in the order they were added: added again
  // after every broker's timer queue, Tick sees the heartbeats that fell
  // due in the same move.
  if (tick_observer_ != 0) clock_->RemoveObserver(tick_observer_);
  tick_observer_ = clock_->AddObserver([this] { (void)controller_->Tick(); });
}

// --- Broker lifecycle -------------------------------------------------------

absl::Status EmbeddedCluster::CheckIndex(int index) const {
  if (index < 0 || index >= options_.brokers) {
    return absl::OutOfRangeError(absl::StrCat(
        "no broker ", index, " in a cluster of ", options_.brokers));
  }
  return absl::OkStatus();
}

bool EmbeddedCluster::IsRunning(int index) const {
  absl::MutexLock lock(&brokers_mu_);
  return index >= 0 && index < static_cast<int>(brokers_.size()) &&
         brokers_[index] != nullptr;
}

absl::Status EmbeddedCluster::OpenBroker(int index) {
  ASSIGN_OR_RETURN(std::unique_ptr<Broker> opened,
                   Broker::Open(OptionsFor(index)));
  // One cluster, one id: the first broker's (kept in its directory, or
  // new) is everyone's.
  if (options_.broker.cluster_id.empty()) {
    options_.broker.cluster_id = opened->cluster_id();
  }
  auto gone = std::make_shared<absl::Notification>();
  std::shared_ptr<Broker> broker(opened.release(), [gone](Broker* b) {
    delete b;
    gone->Notify();
  });
  gone_.at(index) = std::move(gone);
  {
    absl::MutexLock lock(&brokers_mu_);
    brokers_.at(index) = broker;
  }
  if (tick_observer_ != 0) WatchClockForTicks();
  if (servers_.empty()) return absl::OkStatus();
  // The listener borrows the broker; it comes back on the same port, so
  // clients reconnect to the address they know.
  if (servers_.at(index) == nullptr) {
    ASSIGN_OR_RETURN(servers_.at(index),
                     KafkaServer::Bind(ServerOptionsFor(ports_.at(index))));
  }
  return servers_.at(index)->Serve(*broker);
}

absl::StatusOr<std::shared_ptr<Broker>> EmbeddedCluster::TakeBroker(int index) {
  RETURN_IF_ERROR(CheckIndex(index));
  std::shared_ptr<Broker> broker;
  {
    absl::MutexLock lock(&brokers_mu_);
    broker = std::move(brokers_.at(index));
    brokers_.at(index) = nullptr;
  }
  if (broker == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("broker ", index, " is not running"));
  }
  // Replica traffic still on its way to or from it is lost.
  if (network_ != nullptr) network_->links->DropConnections(index);
  return broker;
}

void EmbeddedCluster::CloseListener(int index) {
  if (!servers_.empty() && servers_.at(index) != nullptr) {
    servers_.at(index)->Shutdown();
  }
}

void EmbeddedCluster::DropListener(int index) {
  // Only once the broker is gone: answers it gives while stopping (a parked
  // fetch) release connections, which must not outlive their server.
  if (!servers_.empty()) servers_.at(index).reset();
}

absl::Status EmbeddedCluster::AwaitGone(int index,
                                        std::shared_ptr<Broker> broker) {
  std::shared_ptr<absl::Notification> gone = gone_.at(index);
  broker.reset();
  if (!gone->WaitForNotificationWithTimeout(kGoneTimeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("broker ", index, " is still referenced ",
                     absl::FormatDuration(kGoneTimeout), " after it stopped"));
  }
  return absl::OkStatus();
}

absl::Status EmbeddedCluster::KillBroker(int index) {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, TakeBroker(index));
  io::FaultInjectionFileSystem* disk = file_system(index);
  // From now on nothing reaches the disk.
  if (disk != nullptr) disk->CrashAfterOperations(0);
  // The broker stops at once: no heartbeat, no metadata applied, requests
  // waiting in it fail (so its listener closes at once instead of draining
  // them).
  broker->CloseAbruptly();
  // The controller notices at once, as when a session expires. Only now:
  // a broker still running could heartbeat and unfence itself. And before
  // the listener goes, so that a client that sees its connection drop and
  // asks another broker for metadata learns the new leaders (the store
  // hands every broker the new image before FenceBroker returns).
  absl::Status status = controller_ != nullptr
                            ? controller_->FenceBroker(NodeId(index))
                            : absl::OkStatus();
  CloseListener(index);
  // Still referenced, the broker keeps its crashed disk (nothing it does
  // can reach storage) and the kill fails.
  RETURN_IF_ERROR(AwaitGone(index, std::move(broker)));
  DropListener(index);
  if (disk == nullptr) return status;  // a process crash: nothing is lost
  // Power loss, then the machine comes back.
  disk->DropUnsyncedData();
  absl::MutexLock lock(&disk_mu_);
  disk->Reset();
  if (disk_full_.at(index)) disk->SetNoSpace(true);
  return status;
}

absl::Status EmbeddedCluster::StopBrokerLocked(int index) {
  ASSIGN_OR_RETURN(std::shared_ptr<Broker> broker, TakeBroker(index));
  // The listener borrows the broker: it goes first, answering the requests
  // it has read.
  CloseListener(index);
  absl::Status status = broker->Close();
  status.Update(AwaitGone(index, std::move(broker)));
  DropListener(index);
  return status;
}

absl::Status EmbeddedCluster::StartBrokerLocked(int index) {
  RETURN_IF_ERROR(CheckIndex(index));
  if (IsRunning(index)) {
    return absl::FailedPreconditionError(
        absl::StrCat("broker ", index, " is running"));
  }
  return OpenBroker(index);
}

absl::Status EmbeddedCluster::StopBroker(int index) {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  return StopBrokerLocked(index);
}

absl::Status EmbeddedCluster::StartBroker(int index) {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  return StartBrokerLocked(index);
}

absl::Status EmbeddedCluster::Restart(int index) {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  RETURN_IF_ERROR(CheckIndex(index));
  if (!IsRunning(index)) {
    return absl::FailedPreconditionError(
        absl::StrCat("broker ", index, " is not running"));
  }
  absl::Status status = StopBrokerLocked(index);
  absl::Status started = StartBrokerLocked(index);
  status.Update(started);
  return status;
}

// --- Network ----------------------------------------------------------------

absl::Status EmbeddedCluster::CheckLinks(int a, int b) const {
  RETURN_IF_ERROR(CheckIndex(a));
  RETURN_IF_ERROR(CheckIndex(b));
  if (network_ == nullptr) {
    return absl::FailedPreconditionError(
        "a cluster of one broker has no links");
  }
  return absl::OkStatus();
}

void EmbeddedCluster::CatchUp() {
  for (const auto& store : network_->stores) store->CatchUp();
}

absl::Status EmbeddedCluster::IsolateBroker(int index) {
  RETURN_IF_ERROR(CheckLinks(index, index));
  for (int other = 0; other < options_.brokers; ++other) {
    network_->links->Cut(index, other);
  }
  network_->links->Cut(index, internal::Links::kController);
  return absl::OkStatus();
}

absl::Status EmbeddedCluster::HealBroker(int index) {
  RETURN_IF_ERROR(CheckLinks(index, index));
  for (int other = 0; other < options_.brokers; ++other) {
    network_->links->Heal(index, other);
    network_->links->SetLatencyMs(index, other, 0);
  }
  network_->links->Heal(index, internal::Links::kController);
  network_->stores.at(index)->CatchUp();
  return absl::OkStatus();
}

absl::Status EmbeddedCluster::CutLink(int a, int b) {
  RETURN_IF_ERROR(CheckLinks(a, b));
  if (a == b) {
    return absl::InvalidArgumentError(
        absl::StrCat("broker ", a, " has no link to itself"));
  }
  network_->links->Cut(a, b);
  return absl::OkStatus();
}

absl::Status EmbeddedCluster::HealLink(int a, int b) {
  RETURN_IF_ERROR(CheckLinks(a, b));
  network_->links->Heal(a, b);
  return absl::OkStatus();
}

void EmbeddedCluster::HealAll() {
  if (network_ == nullptr) return;
  network_->links->HealAll();
  CatchUp();
}

absl::Status EmbeddedCluster::SetLinkLatency(int a, int b, int64_t ms) {
  RETURN_IF_ERROR(CheckLinks(a, b));
  if (ms < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("a link latency of ", ms, " ms"));
  }
  network_->links->SetLatencyMs(a, b, ms);
  return absl::OkStatus();
}

// --- Disks ------------------------------------------------------------------

absl::Status EmbeddedCluster::CheckDiskFaults(int index) const {
  RETURN_IF_ERROR(CheckIndex(index));
  if (disks_.empty()) {
    return absl::FailedPreconditionError(
        "disk faults need EmbeddedClusterOptions::disk_faults");
  }
  return absl::OkStatus();
}

absl::Status EmbeddedCluster::FailDiskWrites(int index, bool on) {
  RETURN_IF_ERROR(CheckDiskFaults(index));
  absl::MutexLock lock(&disk_mu_);
  disk_full_.at(index) = on;
  disks_.at(index)->SetNoSpace(on);
  return absl::OkStatus();
}

absl::Status EmbeddedCluster::FailSyncs(int index, int count) {
  RETURN_IF_ERROR(CheckDiskFaults(index));
  if (count < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot fail ", count, " syncs"));
  }
  disks_.at(index)->FailSyncs(count);
  return absl::OkStatus();
}

// --- Requests ---------------------------------------------------------------

absl::Status EmbeddedCluster::InjectErrors(int index, int16_t api_key,
                                           std::vector<int16_t> error_codes) {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  RETURN_IF_ERROR(CheckIndex(index));
  KafkaServer* listener = server(index);
  if (listener == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "broker ", index, " has no listener (`.listen` off, or stopped)"));
  }
  return listener->InjectErrors(api_key, std::move(error_codes));
}

absl::Status EmbeddedCluster::ClearInjectedErrors(int index) {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  RETURN_IF_ERROR(CheckIndex(index));
  KafkaServer* listener = server(index);
  if (listener == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "broker ", index, " has no listener (`.listen` off, or stopped)"));
  }
  listener->ClearInjectedErrors();
  return absl::OkStatus();
}

}  // namespace rill::testing
