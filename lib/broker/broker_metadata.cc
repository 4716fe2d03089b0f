// BrokerImpl's side of cluster metadata: joining the cluster, applying each
// image (partitions opened, led, followed, dropped), and the leader's
// periodic replication work (heartbeats, ISR changes).
#include <algorithm>
#include <set>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "broker/broker_impl.h"
#include "rill/error.h"
#include "rill/logger.h"
#include "util/status_macros.h"
#include "util/topic_name.h"

namespace rill::broker {
absl::Status BrokerImpl::JoinCluster() {
  if (options_.metadata_store == nullptr) {
    // A cluster of one: its own controller, over metadata kept in the
    // data directory.
    standalone_ = true;
    ASSIGN_OR_RETURN(
        store_,
        replication::OpenDurableMetadataStore(
            {.fs = fs_, .dir = io::JoinPath(data_dir_, kClusterMetadataDir)}));
    ASSIGN_OR_RETURN(
        std::unique_ptr<replication::Controller> controller,
        replication::Controller::Create(
            {.store = store_,
             .clock = clock_,
             .unclean_leader_election_enable =
                 options_.unclean_leader_election_enable,
             .auto_leader_rebalance_enable =
                 options_.auto_leader_rebalance_enable,
             .default_replication_factor = options_.default_replication_factor,
             .num_partitions = options_.num_partitions,
             .min_insync_replicas = options_.min_insync_replicas,
             .validate_topic_configs =
                 [this](const std::map<std::string, std::string>& configs) {
                   return ResolveTopicConfig(configs).status();
                 }}));
    controller_ = std::move(controller);
  } else {
    if (options_.controller == nullptr ||
        options_.replica_transport == nullptr) {
      return absl::InvalidArgumentError(
          "a broker given a metadata_store needs a controller and a "
          "replica_transport too");
    }
    store_ = options_.metadata_store;
    controller_ = options_.controller;
    fetcher_ = std::make_unique<replication::ReplicaFetcher>(
        replication::ReplicaFetcherOptions{
            .node_id = options_.node_id,
            .transport = options_.replica_transport,
            .fetch_wait_max_ms = options_.replica_fetch_wait_max_ms,
            .fetch_backoff_ms = options_.replica_fetch_backoff_ms});
  }
  subscription_ = store_->Subscribe(
      [this](const std::shared_ptr<const replication::ClusterImage>& image) {
        ApplyImage(image);
      });
  ASSIGN_OR_RETURN(int64_t epoch,
                   controller_->RegisterBroker(options_.node_id,
                                               options_.advertised_endpoints));
  broker_epoch_.store(epoch);
  if (standalone_) RETURN_IF_ERROR(ImportStoredTopics());
  WaitForMetadata(controller_->image()->version());
  // Logs of no topic in the metadata are what an interrupted delete (or a
  // replica moved away while this broker was down) left: finish it.
  {
    absl::MutexLock apply(&apply_mu_);
    std::set<TopicPartition> known;
    {
      absl::ReaderMutexLock lock(&mu_);
      for (const auto& [name, topic] : topics_) {
        for (const auto& p : topic->partitions) {
          if (p) known.insert(p->tp());
        }
      }
    }
    for (const TopicPartition& tp : logs_->Partitions()) {
      if (!known.contains(tp)) RETURN_IF_ERROR(logs_->DeleteLog(tp));
    }
  }
  // A cluster of one has nobody to fence it and no follower to track.
  if (!standalone_) {
    ScheduleHeartbeat();
    ScheduleIsrCheck();
  }
  return absl::OkStatus();
}

absl::Status BrokerImpl::ImportStoredTopics() {
  // Brokers before cluster metadata kept one file per topic: bring those
  // topics over once, then drop the files.
  ASSIGN_OR_RETURN(
      std::unique_ptr<TopicStore> old,
      TopicStore::Open(
          fs_, io::JoinPath(io::JoinPath(data_dir_, kMetadataDir), "topics")));
  ASSIGN_OR_RETURN(std::vector<TopicRecord> records, old->LoadAll());
  for (TopicRecord& record : records) {
    if (controller_->image()->FindTopic(record.name) == nullptr) {
      std::vector<std::vector<NodeId>> assignment(record.num_partitions,
                                                  {options_.node_id});
      absl::Status imported =
          controller_
              ->CreateTopic({.name = record.name,
                             .num_partitions = -1,
                             .replication_factor = -1,
                             .configs = record.configs},
                            {.replica_assignment = std::move(assignment)})
              .status();
      if (!imported.ok()) {
        return util::Annotate(imported,
                              absl::StrCat("importing topic ", record.name));
      }
    }
    RETURN_IF_ERROR(old->Remove(record.name));
  }
  return absl::OkStatus();
}

void BrokerImpl::ApplyImage(
    const std::shared_ptr<const replication::ClusterImage>& image) {
  absl::MutexLock apply(&apply_mu_);
  if (stopped_applying_) return;
  absl::flat_hash_map<std::string, std::shared_ptr<const Topic>> current;
  {
    absl::ReaderMutexLock lock(&mu_);
    current = topics_;
  }
  absl::flat_hash_map<std::string, std::shared_ptr<const Topic>> next;
  for (const auto& [name, state] : image->topics()) {
    auto it = current.find(name);
    std::shared_ptr<const Topic> old =
        it == current.end() ? nullptr : it->second;
    if (old && old->state == state) {
      next[name] = old;
      continue;
    }
    if (old && old->state->id != state->id) {
      DropTopic(*old);  // deleted and created again under the same name
      old = nullptr;
    }
    absl::StatusOr<std::shared_ptr<const Topic>> topic = ApplyTopic(state, old);
    if (!topic.ok()) {
      // The replica cannot be served (a storage error): the topic stays
      // without it here; clients see the partitions as not led here.
      logger_->Log(LogLevel::kError,
                   absl::StrCat("broker ", options_.node_id.value(), ": topic ",
                                name, ": ", topic.status().ToString()));
      continue;
    }
    next[name] = *std::move(topic);
  }
  for (const auto& [name, topic] : current) {
    if (!image->topics().contains(name)) DropTopic(*topic);
  }
  {
    absl::MutexLock lock(&mu_);
    topics_ = std::move(next);
    image_ = image;
  }
  applied_version_ = image->version();
  applied_.SignalAll();
}

absl::StatusOr<std::shared_ptr<const Topic>> BrokerImpl::ApplyTopic(
    const std::shared_ptr<const replication::TopicState>& state,
    const std::shared_ptr<const Topic>& old) {
  auto topic = std::make_shared<Topic>();
  topic->state = state;
  ASSIGN_OR_RETURN(topic->config, ResolveTopicConfig(state->configs));
  const bool configs_changed = old && old->state->configs != state->configs;
  const NodeId self = options_.node_id;
  for (size_t p = 0; p < state->partitions.size(); ++p) {
    const replication::PartitionState& ps = state->partitions[p];
    const TopicPartition tp{state->name, PartitionId(static_cast<int32_t>(p))};
    std::shared_ptr<Partition> partition =
        old && p < old->partitions.size() ? old->partitions[p] : nullptr;
    if (!absl::c_linear_search(ps.replicas, self)) {
      if (partition) DropPartition(partition);
      topic->partitions.push_back(nullptr);
      continue;
    }
    if (partition == nullptr) {
      ASSIGN_OR_RETURN(partition, OpenPartition(tp, topic->config, ps));
      OnRoleChange(partition, ps,
                   {.became_leader = ps.leader == self,
                    .became_follower = ps.leader != self});
    } else {
      if (configs_changed) {
        RETURN_IF_ERROR(partition->UpdateConfig(topic->config.log));
        partition->set_min_insync_replicas(topic->config.min_insync_replicas);
      }
      if (old->state->partitions[p] != ps) {
        OnRoleChange(partition, ps, partition->ApplyState(ps));
      }
    }
    topic->partitions.push_back(std::move(partition));
  }
  return topic;
}

void BrokerImpl::OnRoleChange(const std::shared_ptr<Partition>& partition,
                              const replication::PartitionState& state,
                              RoleChange change) {
  if ((change.became_leader || change.became_follower) && !standalone_ &&
      partition->tp().topic == util::kOffsetsTopic) {
    FollowOffsetsLeadership(partition);
  }
  if (change.became_leader && fetcher_) fetcher_->Unfollow(partition->tp());
  if (change.became_follower) {
    if (fetcher_ == nullptr) return;
    if (state.has_leader()) {
      fetcher_->Follow(partition, state.leader, state.leader_epoch);
    } else {
      fetcher_->Unfollow(partition->tp());
    }
  }
}

void BrokerImpl::DropTopic(const Topic& topic) {
  for (const auto& partition : topic.partitions) {
    if (partition) DropPartition(partition);
  }
}

void BrokerImpl::DropPartition(const std::shared_ptr<Partition>& partition) {
  if (fetcher_) fetcher_->Unfollow(partition->tp());
  // Close first: in-flight produces and fetches holding the partition get
  // an error instead of touching a deleted log.
  (void)partition->Close();
  (void)logs_->DeleteLog(partition->tp());
}

void BrokerImpl::WaitForMetadata(int64_t version) {
  absl::MutexLock apply(&apply_mu_);
  while (applied_version_ < version && !stopped_applying_) {
    applied_.Wait(&apply_mu_);
  }
}

absl::StatusOr<EpochEndOffset> BrokerImpl::OffsetForLeaderEpoch(
    const TopicPartition& tp, LeaderEpoch current_leader_epoch,
    LeaderEpoch epoch) {
  ASSIGN_OR_RETURN(std::shared_ptr<Partition> partition, GetPartition(tp));
  return partition->LeaderEndOffsetForEpoch(current_leader_epoch, epoch);
}

void BrokerImpl::ScheduleHeartbeat() {
  timers_->ScheduleAfter(options_.broker_heartbeat_interval_ms, [this] {
    (void)controller_->Heartbeat(options_.node_id, broker_epoch_.load());
    ScheduleHeartbeat();
  });
}

void BrokerImpl::ScheduleIsrCheck() {
  // Kafka checks every half of replica.lag.time.max.ms.
  timers_->ScheduleAfter(
      std::max<int64_t>(1, options_.replica_lag_time_max_ms / 2), [this] {
        CheckIsr();
        ScheduleIsrCheck();
      });
}

void BrokerImpl::CheckIsr() {
  std::vector<std::shared_ptr<Partition>> led;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_) {
      for (const auto& p : topic->partitions) {
        if (p && p->is_leader()) led.push_back(p);
      }
    }
  }
  for (const auto& partition : led) ProposeIsrChange(partition);
}

void BrokerImpl::ProposeIsrChange(const std::shared_ptr<Partition>& partition) {
  std::optional<replication::AlterPartitionRequest> request =
      partition->ProposeIsrChange(options_.replica_lag_time_max_ms);
  if (!request) return;
  request->leader_broker_epoch = broker_epoch_.load();
  absl::StatusOr<replication::PartitionState> result =
      controller_->AlterPartition(*request);
  // Accepted, the new ISR arrives with the image (ApplyState ends the
  // pending change); refused, the next check proposes again from what the
  // image says by then.
  if (!result.ok()) partition->IsrChangeDone();
}

}  // namespace rill::broker
