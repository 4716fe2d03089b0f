#include "broker/broker_impl.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "broker/clean_shutdown.h"
#include "broker/meta_properties.h"
#include "rill/error.h"
#include "util/parallel_for.h"
#include "util/status_macros.h"
#include "util/topic_name.h"

namespace rill::broker {
namespace {

// Where an in-memory broker keeps its files on its private file system.
constexpr char kInMemoryDataDir[] = "/rill";
// producer.id.expiration.check.interval.ms (Kafka's default).
constexpr int64_t kProducerExpirationCheckIntervalMs = 600'000;

std::shared_ptr<io::FileSystem> ChooseFileSystem(const BrokerOptions& o) {
  if (o.fs) return o.fs;
  return o.data_dir.empty() ? io::NewMemFileSystem() : io::NewPosixFileSystem();
}

absl::Status UnknownPartition(const TopicPartition& tp) {
  return MakeError(
      ErrorReason::kUnknownTopicOrPartition,
      absl::StrCat("this broker has no partition ", tp.ToString()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Broker>> BrokerImpl::Open(
    BrokerOptions options) {
  if (options.num_partitions < 1 || options.default_replication_factor < 1 ||
      options.offsets_topic_num_partitions < 1) {
    return absl::InvalidArgumentError(
        "num.partitions, default.replication.factor and "
        "offsets.topic.num.partitions must be >= 1");
  }
  RETURN_IF_ERROR(options.log_defaults.Validate());
  std::unique_ptr<BrokerImpl> broker(new BrokerImpl(std::move(options)));
  RETURN_IF_ERROR(broker->Load());
  return broker;
}

BrokerImpl::BrokerImpl(BrokerOptions options)
    : options_(std::move(options)),
      fs_(ChooseFileSystem(options_)),
      clock_(options_.clock ? options_.clock : DefaultClock()),
      logger_(options_.logger ? options_.logger : StderrLogger()),
      data_dir_(options_.data_dir.empty() ? kInMemoryDataDir
                                          : options_.data_dir) {}

BrokerImpl::~BrokerImpl() { (void)Close(); }

absl::Status BrokerImpl::Load() {
  RETURN_IF_ERROR(fs_->CreateDirs(data_dir_));
  ASSIGN_OR_RETURN(cluster_id_,
                   LoadOrCreateClusterId(*fs_, data_dir_, options_.node_id,
                                         options_.cluster_id));
  const std::string metadata_dir = io::JoinPath(data_dir_, kMetadataDir);
  const bool in_cluster = options_.metadata_store != nullptr;
  if (in_cluster &&
      options_.node_id.value() >= ProducerIdAllocator::kMaxBrokers) {
    return absl::InvalidArgumentError(
        absl::StrCat("node.id ", options_.node_id.value(),
                     " is too large for a cluster: at most ",
                     ProducerIdAllocator::kMaxBrokers - 1));
  }
  producer_ids_ = std::make_unique<ProducerIdAllocator>(
      fs_, metadata_dir,
      in_cluster ? std::optional<NodeId>(options_.node_id) : std::nullopt);
  ASSIGN_OR_RETURN(logs_,
                   LogManager::Open({.data_dir = data_dir_,
                                     .default_config = options_.log_defaults,
                                     .fs = fs_,
                                     .clock = clock_,
                                     .maintenance_interval_ms =
                                         options_.maintenance_interval_ms}));
  // Read (and removed) before anything can fail half-way: from here on a
  // crash leaves no marker.
  ASSIGN_OR_RETURN(previous_shutdown_clean_,
                   TakeCleanShutdownMarker(*fs_, data_dir_));
  timers_ = std::make_unique<util::TimerQueue>(clock_);
  purgatory_ = std::make_unique<FetchPurgatory>(
      [this](const TopicPartition& tp) { return GetPartition(tp); },
      timers_.get());

  group_log_ = std::make_unique<OffsetsGroupLog>(
      options_.offsets_topic_num_partitions, [this](int32_t p, bool create) {
        return GetOffsetsPartition(p, create);
      });
  ASSIGN_OR_RETURN(coordinator_,
                   GroupCoordinator::Open({.log = group_log_.get(),
                                           .clock = clock_,
                                           .config = options_.group}));
  RETURN_IF_ERROR(JoinCluster());
  if (standalone_) {
    // A cluster of one leads, and so coordinates, every offsets partition,
    // before the offsets topic exists too (it is created on first use). In
    // a cluster, leadership of each partition decides (OnRoleChange).
    for (int32_t p = 0; p < options_.offsets_topic_num_partitions; ++p) {
      RETURN_IF_ERROR(coordinator_->LoadPartition(p));
    }
  }
  ScheduleProducerStateSnapshots();
  return absl::OkStatus();
}

absl::StatusOr<TopicConfig> BrokerImpl::ResolveTopicConfig(
    const std::map<std::string, std::string>& overrides) const {
  ASSIGN_OR_RETURN(TopicConfig config,
                   TopicConfig::Resolve(overrides, options_.log_defaults));
  if (!overrides.contains("min.insync.replicas")) {
    config.min_insync_replicas = options_.min_insync_replicas;
  }
  return config;
}

absl::StatusOr<std::shared_ptr<Partition>> BrokerImpl::OpenPartition(
    const TopicPartition& tp, const TopicConfig& config,
    const replication::PartitionState& state) {
  ASSIGN_OR_RETURN(Log * log, logs_->GetOrCreateLog(tp, config.log));
  // A log found on disk was opened with the broker defaults.
  if (!(log->config() == config.log)) {
    RETURN_IF_ERROR(log->UpdateConfig(config.log));
  }
  return Partition::Open(
      {.tp = tp,
       .log = log,
       .fs = fs_,
       .clock = clock_,
       .node_id = options_.node_id,
       .leader_epoch = state.leader_epoch,
       .state = state,
       .min_insync_replicas = config.min_insync_replicas,
       .timers = timers_.get(),
       .producer_id_expiration_ms = options_.producer_id_expiration_ms,
       .on_advance = [this](const TopicPartition& changed) {
         purgatory_->OnPartitionChange(changed);
       }});
}

void BrokerImpl::ScheduleProducerStateSnapshots() {
  timers_->ScheduleAfter(kProducerExpirationCheckIntervalMs, [this] {
    std::vector<std::shared_ptr<const Topic>> topics;
    {
      absl::ReaderMutexLock lock(&mu_);
      for (const auto& [name, topic] : topics_) topics.push_back(topic);
    }
    for (const auto& topic : topics) {
      // A failed snapshot is retried next round; the log still has every
      // batch, so state can always be rebuilt by replay.
      for (const auto& partition : topic->partitions) {
        if (partition) (void)partition->SnapshotProducerState();
      }
    }
    ScheduleProducerStateSnapshots();
  });
}

absl::StatusOr<std::shared_ptr<const Topic>> BrokerImpl::GetTopic(
    std::string_view name) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = topics_.find(absl::string_view(name.data(), name.size()));
  if (it == topics_.end()) {
    return MakeError(
        ErrorReason::kUnknownTopicOrPartition,
        absl::StrCat("unknown topic '",
                     absl::string_view(name.data(), name.size()), "'"));
  }
  return it->second;
}

absl::StatusOr<std::shared_ptr<Partition>> BrokerImpl::GetPartition(
    const TopicPartition& tp) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = topics_.find(tp.topic);
  if (it == topics_.end() || tp.partition.value() < 0 ||
      tp.partition.value() >=
          static_cast<int32_t>(it->second->partitions.size())) {
    return UnknownPartition(tp);
  }
  const std::shared_ptr<Partition>& partition =
      it->second->partitions[tp.partition.value()];
  if (partition == nullptr) {
    return MakeError(ErrorReason::kNotLeaderOrFollower,
                     absl::StrCat("broker ", options_.node_id.value(),
                                  " has no replica of ", tp.ToString()));
  }
  return partition;
}

void BrokerImpl::Produce(const TopicPartition& tp, std::span<char> batch,
                         const ProduceOptions& options, ProduceCallback done) {
  absl::StatusOr<std::shared_ptr<Partition>> partition = GetPartition(tp);
  if (!partition.ok() && options_.auto_create_topics_enable &&
      !GetTopic(tp.topic).ok()) {
    absl::Status created = CreateTopic({.name = tp.topic}, false);
    if (!created.ok() &&
        !HasErrorReason(created, ErrorReason::kTopicAlreadyExists)) {
      done(created);
      return;
    }
    partition = GetPartition(tp);
  }
  if (!partition.ok()) {
    done(partition.status());
    return;
  }
  (*partition)->Produce(batch, options, std::move(done));
}

void BrokerImpl::Fetch(FetchRequest request, FetchCallback done) {
  if (request.replica_id.value() >= 0) {
    // A follower: its fetch offsets are its log ends, which move the
    // leader's high watermark and maybe its ISR.
    for (const FetchPartitionRequest& p : request.partitions) {
      absl::StatusOr<std::shared_ptr<Partition>> partition = GetPartition(p.tp);
      if (!partition.ok()) continue;  // the read answers the error
      absl::StatusOr<FollowerFetch> fetch =
          (*partition)
              ->RecordFollowerFetch(request.replica_id, p.current_leader_epoch,
                                    p.fetch_offset);
      if (fetch.ok() && fetch->wants_isr_change) {
        timers_->ScheduleAfter(
            0, [this, partition = *partition] { ProposeIsrChange(partition); });
      }
    }
  }
  purgatory_->Fetch(std::move(request), std::move(done));
}

absl::StatusOr<ListOffsetsResult> BrokerImpl::ListOffsets(
    const TopicPartition& tp, const ListOffsetsSpec& spec) {
  ASSIGN_OR_RETURN(std::shared_ptr<Partition> partition, GetPartition(tp));
  return partition->ListOffsets(spec);
}

absl::StatusOr<PartitionOffsets> BrokerImpl::GetPartitionOffsets(
    const TopicPartition& tp) {
  ASSIGN_OR_RETURN(std::shared_ptr<Partition> partition, GetPartition(tp));
  return partition->offsets();
}

absl::StatusOr<Offset> BrokerImpl::DeleteRecords(const TopicPartition& tp,
                                                 Offset before) {
  // Committed offsets live in the internal topic: never truncated by hand.
  if (util::IsInternalTopic(tp.topic)) {
    return MakeError(
        ErrorReason::kInvalidTopic,
        absl::StrCat("cannot delete records of internal topic ", tp.topic));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<Partition> partition, GetPartition(tp));
  return partition->DeleteRecords(before);
}

absl::StatusOr<ProducerIdAndEpoch> BrokerImpl::InitProducerId() {
  ASSIGN_OR_RETURN(ProducerId id, producer_ids_->Next());
  return ProducerIdAndEpoch{.producer_id = id, .epoch = ProducerEpoch(0)};
}

absl::Status BrokerImpl::RunMaintenance() {
  std::vector<std::shared_ptr<const Topic>> topics;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_) topics.push_back(topic);
  }
  for (const auto& topic : topics) {
    for (const auto& partition : topic->partitions) {
      if (partition) RETURN_IF_ERROR(partition->SnapshotProducerState());
    }
  }
  return logs_->RunMaintenance().status();
}

absl::Status BrokerImpl::Close() { return Stop(/*clean=*/true); }

void BrokerImpl::CloseAbruptly() { (void)Stop(/*clean=*/false); }

absl::Status BrokerImpl::Stop(bool clean) {
  absl::MutexLock admin(&admin_mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  // Metadata first (no partition opens or changes role from here on), then
  // the fetchers (no more follower appends), then waiters, then time, then
  // state goes to disk (unless the stop plays a crash).
  // A clean stop in a cluster hands leadership over first (Kafka's
  // controlled shutdown), so clients move before the broker goes.
  if (clean && !standalone_ && controller_ && broker_epoch_.load() >= 0) {
    (void)controller_->ControlledShutdown(options_.node_id,
                                          broker_epoch_.load());
  }
  subscription_.Cancel();
  {
    absl::MutexLock apply(&apply_mu_);
    stopped_applying_ = true;
    applied_.SignalAll();
  }
  if (fetcher_) fetcher_->Shutdown();
  if (purgatory_) purgatory_->Shutdown();
  absl::Status status;
  if (coordinator_) status.Update(coordinator_->Close());
  if (timers_) timers_->Shutdown();
  absl::flat_hash_map<std::string, std::shared_ptr<const Topic>> topics;
  {
    absl::MutexLock lock(&mu_);
    topics.swap(topics_);
  }
  // Each close writes and syncs a producer snapshot: overlap them.
  std::vector<Partition*> partitions;
  for (const auto& [name, topic] : topics) {
    for (const auto& partition : topic->partitions) {
      if (partition) partitions.push_back(partition.get());
    }
  }
  if (!clean) {
    for (Partition* partition : partitions) partition->CloseAbruptly();
    if (logs_) logs_->CloseAbruptly();
    return status;
  }
  std::vector<absl::Status> closed(partitions.size());
  util::ParallelFor(partitions.size(), 8,
                    [&](size_t i) { closed[i] = partitions[i]->Close(); });
  for (const absl::Status& s : closed) status.Update(s);
  if (logs_) status.Update(logs_->Close());
  // Last, and only if everything above reached the disk. After a crash the
  // broker stays unclean until the controller has heard so (registration
  // says it): otherwise a restart that failed to register and then closed
  // would look clean to the next one, and a replica that lost acknowledged
  // records in the crash would stay eligible to lead.
  const bool crash_reported =
      previous_shutdown_clean_ || broker_epoch_.load() >= 0;
  if (status.ok() && crash_reported) {
    status.Update(WriteCleanShutdownMarker(*fs_, data_dir_));
  }
  return status;
}

}  // namespace rill::broker

namespace rill {

absl::StatusOr<std::unique_ptr<Broker>> Broker::Open(BrokerOptions options) {
  return broker::BrokerImpl::Open(std::move(options));
}

}  // namespace rill
