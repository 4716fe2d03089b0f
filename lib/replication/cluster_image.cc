#include "rill/replication/cluster_image.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace rill::replication {
namespace internal {

// ImageBuilder applies records to a copy of an image. Topics are copied on
// first change within the batch and then changed in place, so a batch of
// many partition changes to one topic copies it once.
class ImageBuilder {
 public:
  explicit ImageBuilder(const ClusterImage& base) : image_(base) {}

  absl::Status Apply(const MetadataRecord& record) {
    absl::Status applied =
        std::visit([this](const auto& r) { return On(r); }, record);
    if (!applied.ok()) {
      return util::Annotate(applied,
                            absl::StrCat("metadata record ", image_.version_));
    }
    ++image_.version_;
    return absl::OkStatus();
  }

  ClusterImage Finish() && { return std::move(image_); }

 private:
  absl::Status On(const RegisterBrokerRecord& r) {
    if (r.id.value() < 0) return Reject("broker id ", r.id, " is negative");
    auto it = image_.brokers_.find(r.id);
    if (it != image_.brokers_.end() && r.epoch <= it->second.epoch) {
      return Reject("broker ", r.id, " epoch ", r.epoch, " is not above ",
                    it->second.epoch);
    }
    image_.brokers_[r.id] = BrokerRegistration{.id = r.id,
                                               .epoch = r.epoch,
                                               .endpoints = r.endpoints,
                                               .fenced = r.fenced};
    return absl::OkStatus();
  }
  absl::Status On(const FenceBrokerRecord& r) {
    ASSIGN_OR_RETURN(BrokerRegistration * broker, Broker(r.id, r.epoch));
    broker->fenced = true;
    return absl::OkStatus();
  }
  absl::Status On(const UnfenceBrokerRecord& r) {
    ASSIGN_OR_RETURN(BrokerRegistration * broker, Broker(r.id, r.epoch));
    broker->fenced = false;
    return absl::OkStatus();
  }
  absl::Status On(const UnregisterBrokerRecord& r) {
    RETURN_IF_ERROR(Broker(r.id, r.epoch).status());
    image_.brokers_.erase(r.id);
    return absl::OkStatus();
  }
  absl::Status On(const CreateTopicRecord& r) {
    const TopicState& topic = r.topic;
    if (topic.id.IsZero()) return Reject("topic ", topic.name, " has no id");
    if (image_.topics_.contains(topic.name) ||
        image_.names_by_id_.contains(topic.id)) {
      return Reject("topic ", topic.name, " (", topic.id.ToString(),
                    ") exists");
    }
    RETURN_IF_ERROR(CheckNew(topic.partitions));
    auto owned = std::make_shared<TopicState>(topic);
    fresh_.insert(owned.get());
    image_.topics_.emplace(topic.name, std::move(owned));
    image_.names_by_id_.emplace(topic.id, topic.name);
    return absl::OkStatus();
  }
  absl::Status On(const DeleteTopicRecord& r) {
    auto name = image_.names_by_id_.find(r.topic_id);
    if (name == image_.names_by_id_.end()) return UnknownTopic(r.topic_id);
    auto topic = image_.topics_.find(name->second);
    fresh_.erase(topic->second.get());
    image_.topics_.erase(topic);
    image_.names_by_id_.erase(name);
    return absl::OkStatus();
  }
  absl::Status On(const AddPartitionsRecord& r) {
    ASSIGN_OR_RETURN(TopicState * topic, Topic(r.topic_id));
    RETURN_IF_ERROR(CheckNew(r.partitions));
    topic->partitions.insert(topic->partitions.end(), r.partitions.begin(),
                             r.partitions.end());
    return absl::OkStatus();
  }
  absl::Status On(const ChangePartitionRecord& r) {
    ASSIGN_OR_RETURN(TopicState * topic, Topic(r.topic_id));
    const int32_t index = r.partition.value();
    if (index < 0 || index >= static_cast<int32_t>(topic->partitions.size())) {
      return Reject("partition ", topic->name, "-", index, " does not exist");
    }
    PartitionState& current = topic->partitions[index];
    // Epochs only move forward by one change at a time: a record computed
    // against an older state of the partition does not apply.
    if (r.state.partition_epoch != current.partition_epoch + 1 ||
        r.state.leader_epoch < current.leader_epoch) {
      return Reject("partition ", topic->name, "-", index,
                    " change to partition epoch ", r.state.partition_epoch,
                    " leader epoch ", r.state.leader_epoch,
                    " is not next after ", current.partition_epoch, "/",
                    current.leader_epoch);
    }
    RETURN_IF_ERROR(CheckShape(r.state));
    current = r.state;
    return absl::OkStatus();
  }
  absl::Status On(const ChangeTopicConfigRecord& r) {
    ASSIGN_OR_RETURN(TopicState * topic, Topic(r.topic_id));
    topic->configs = r.configs;
    return absl::OkStatus();
  }

  absl::StatusOr<BrokerRegistration*> Broker(NodeId id, int64_t epoch) {
    auto it = image_.brokers_.find(id);
    if (it == image_.brokers_.end()) {
      return Reject("broker ", id, " is not registered");
    }
    if (it->second.epoch != epoch) {
      return Reject("broker ", id, " has epoch ", it->second.epoch, ", not ",
                    epoch);
    }
    return &it->second;
  }

  absl::StatusOr<TopicState*> Topic(const Uuid& id) {
    auto name = image_.names_by_id_.find(id);
    if (name == image_.names_by_id_.end()) return UnknownTopic(id);
    std::shared_ptr<const TopicState>& slot = image_.topics_[name->second];
    if (!fresh_.contains(slot.get())) {
      auto copy = std::make_shared<TopicState>(*slot);
      fresh_.insert(copy.get());
      slot = std::move(copy);
    }
    // Made by this builder (in fresh_) and not yet published: ours to change.
    return const_cast<TopicState*>(slot.get());
  }

  // CheckShape: a partition names each replica once; its ISR and ELR are
  // disjoint subsets of them; its leader is in the ISR, and an empty ISR
  // has no leader.
  static absl::Status CheckShape(const PartitionState& p) {
    std::set<NodeId> replicas(p.replicas.begin(), p.replicas.end());
    if (p.replicas.empty() || replicas.size() != p.replicas.size()) {
      return Reject("replicas must be distinct and not empty");
    }
    std::set<NodeId> isr(p.isr.begin(), p.isr.end());
    if (isr.size() != p.isr.size() ||
        !std::includes(replicas.begin(), replicas.end(), isr.begin(),
                       isr.end())) {
      return Reject("the ISR must be a subset of the replicas");
    }
    std::set<NodeId> elr(p.elr.begin(), p.elr.end());
    if (elr.size() != p.elr.size() ||
        !std::includes(replicas.begin(), replicas.end(), elr.begin(),
                       elr.end())) {
      return Reject("the ELR must be a subset of the replicas");
    }
    for (NodeId r : elr) {
      if (isr.contains(r)) return Reject("replica ", r, " is in ISR and ELR");
    }
    if (p.has_leader() && !isr.contains(p.leader)) {
      return Reject("leader ", p.leader, " is not in the ISR");
    }
    if (isr.empty() && elr.empty()) {
      return Reject("a partition needs an ISR or an ELR");
    }
    return absl::OkStatus();
  }
  static absl::Status CheckNew(const std::vector<PartitionState>& partitions) {
    for (const PartitionState& p : partitions) RETURN_IF_ERROR(CheckShape(p));
    return absl::OkStatus();
  }

  template <typename... Args>
  static absl::Status Reject(const Args&... args) {
    return absl::FailedPreconditionError(absl::StrCat(Text(args)...));
  }
  static absl::Status UnknownTopic(const Uuid& id) {
    return Reject("no topic has id ", id.ToString());
  }
  // Text lets StrCat take the strong integer types.
  template <typename T>
  static auto Text(const T& v) {
    if constexpr (requires { v.value(); }) {
      return v.value();
    } else {
      return v;
    }
  }

  ClusterImage image_;
  // Topics this builder copied, which no other image shares yet.
  std::set<const TopicState*> fresh_;
};

}  // namespace internal

absl::StatusOr<ClusterImage> ClusterImage::Replay(
    std::span<const MetadataRecord> records) {
  return ClusterImage().Apply(records);
}

absl::StatusOr<ClusterImage> ClusterImage::Apply(
    std::span<const MetadataRecord> records) const {
  internal::ImageBuilder builder(*this);
  for (const MetadataRecord& record : records) {
    RETURN_IF_ERROR(builder.Apply(record));
  }
  return std::move(builder).Finish();
}

std::vector<MetadataRecord> ClusterImage::SnapshotRecords() const {
  std::vector<MetadataRecord> records;
  records.reserve(brokers_.size() + topics_.size());
  for (const auto& [id, broker] : brokers_) {
    records.push_back(RegisterBrokerRecord{.id = broker.id,
                                           .epoch = broker.epoch,
                                           .endpoints = broker.endpoints,
                                           .fenced = broker.fenced});
  }
  for (const auto& [name, topic] : topics_) {
    records.push_back(CreateTopicRecord{.topic = *topic});
  }
  return records;
}

absl::StatusOr<ClusterImage> ClusterImage::FromSnapshot(
    int64_t version, std::span<const MetadataRecord> records) {
  if (version < 0 || static_cast<uint64_t>(version) < records.size()) {
    return absl::InvalidArgumentError(absl::StrCat("a snapshot at version ",
                                                   version, " cannot hold ",
                                                   records.size(), " records"));
  }
  ASSIGN_OR_RETURN(ClusterImage image, Replay(records));
  image.version_ = version;
  return image;
}

const BrokerRegistration* ClusterImage::FindBroker(NodeId id) const {
  auto it = brokers_.find(id);
  return it == brokers_.end() ? nullptr : &it->second;
}

bool ClusterImage::IsLive(NodeId id) const {
  const BrokerRegistration* broker = FindBroker(id);
  return broker != nullptr && !broker->fenced;
}

std::vector<NodeId> ClusterImage::LiveBrokers() const {
  std::vector<NodeId> live;
  for (const auto& [id, broker] : brokers_) {
    if (!broker.fenced) live.push_back(id);
  }
  return live;
}

const TopicState* ClusterImage::FindTopic(std::string_view name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second.get();
}

const TopicState* ClusterImage::FindTopicById(const Uuid& id) const {
  auto it = names_by_id_.find(id);
  return it == names_by_id_.end() ? nullptr : FindTopic(it->second);
}

const PartitionState* ClusterImage::FindPartition(
    const TopicPartition& tp) const {
  const TopicState* topic = FindTopic(tp.topic);
  const int32_t index = tp.partition.value();
  if (topic == nullptr || index < 0 ||
      index >= static_cast<int32_t>(topic->partitions.size())) {
    return nullptr;
  }
  return &topic->partitions[index];
}

namespace {

template <typename Pred>
std::vector<TopicPartition> PartitionsWhere(
    const ClusterImage::TopicMap& topics, Pred pred) {
  std::vector<TopicPartition> out;
  for (const auto& [name, topic] : topics) {
    for (size_t i = 0; i < topic->partitions.size(); ++i) {
      if (pred(topic->partitions[i])) {
        out.push_back({name, PartitionId(static_cast<int32_t>(i))});
      }
    }
  }
  return out;
}

}  // namespace

std::vector<TopicPartition> ClusterImage::PartitionsLedBy(NodeId id) const {
  return PartitionsWhere(
      topics_, [id](const PartitionState& p) { return p.leader == id; });
}

std::vector<TopicPartition> ClusterImage::PartitionsOn(NodeId id) const {
  return PartitionsWhere(topics_, [id](const PartitionState& p) {
    return std::find(p.replicas.begin(), p.replicas.end(), id) !=
           p.replicas.end();
  });
}

bool operator==(const ClusterImage& a, const ClusterImage& b) {
  if (a.version_ != b.version_ || a.brokers_ != b.brokers_ ||
      a.topics_.size() != b.topics_.size()) {
    return false;
  }
  return std::equal(a.topics_.begin(), a.topics_.end(), b.topics_.begin(),
                    [](const auto& x, const auto& y) {
                      return x.first == y.first && *x.second == *y.second;
                    });
}

}  // namespace rill::replication
