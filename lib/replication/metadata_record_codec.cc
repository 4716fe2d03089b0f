#include "replication/metadata_record_codec.h"

#include <limits>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "replication/metadata_format.h"
#include "util/status_macros.h"
#include "util/varint.h"

namespace rill::replication::internal {
namespace {

static_assert(std::variant_size_v<MetadataRecord> == 9,
              "a new MetadataRecord type needs a RecordTag and an encoding");

// Writer appends the encodings of metadata_format.h to a string.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  void Byte(uint8_t b) { out_->push_back(static_cast<char>(b)); }
  void Tag(RecordTag tag) { Byte(static_cast<uint8_t>(tag)); }
  void Bool(bool b) { Byte(b ? 1 : 0); }
  void Int32(int32_t v) { util::PutVarint32(out_, v); }
  void Int64(int64_t v) { util::PutVarint64(out_, v); }
  void Count(size_t n) { util::PutUvarint64(out_, n); }
  void String(const std::string& s) {
    Count(s.size());
    out_->append(s);
  }
  void Id(const Uuid& id) {
    out_->append(reinterpret_cast<const char*>(id.bytes.data()),
                 id.bytes.size());
  }
  void Nodes(const std::vector<NodeId>& nodes) {
    Count(nodes.size());
    for (NodeId node : nodes) Int32(node.value());
  }
  void Endpoints(const std::vector<BrokerEndpoint>& endpoints) {
    Count(endpoints.size());
    for (const BrokerEndpoint& e : endpoints) {
      String(e.listener_name);
      String(e.host);
      Int32(e.port);
    }
  }
  void Configs(const std::map<std::string, std::string>& configs) {
    Count(configs.size());
    for (const auto& [key, value] : configs) {
      String(key);
      String(value);
    }
  }
  void Partition(const PartitionState& p) {
    Nodes(p.replicas);
    Nodes(p.isr);
    Nodes(p.elr);
    Int32(p.leader.value());
    Int32(p.leader_epoch.value());
    Int32(p.partition_epoch);
  }
  void Partitions(const std::vector<PartitionState>& partitions) {
    Count(partitions.size());
    for (const PartitionState& p : partitions) Partition(p);
  }
  void Topic(const TopicState& t) {
    String(t.name);
    Id(t.id);
    Bool(t.internal);
    Configs(t.configs);
    Partitions(t.partitions);
  }

  void Record(const RegisterBrokerRecord& r) {
    Tag(RecordTag::kRegisterBroker);
    Int32(r.id.value());
    Int64(r.epoch);
    Endpoints(r.endpoints);
    Bool(r.fenced);
  }
  void Record(const FenceBrokerRecord& r) {
    Tag(RecordTag::kFenceBroker);
    Int32(r.id.value());
    Int64(r.epoch);
  }
  void Record(const UnfenceBrokerRecord& r) {
    Tag(RecordTag::kUnfenceBroker);
    Int32(r.id.value());
    Int64(r.epoch);
  }
  void Record(const UnregisterBrokerRecord& r) {
    Tag(RecordTag::kUnregisterBroker);
    Int32(r.id.value());
    Int64(r.epoch);
  }
  void Record(const CreateTopicRecord& r) {
    Tag(RecordTag::kCreateTopic);
    Topic(r.topic);
  }
  void Record(const DeleteTopicRecord& r) {
    Tag(RecordTag::kDeleteTopic);
    Id(r.topic_id);
  }
  void Record(const AddPartitionsRecord& r) {
    Tag(RecordTag::kAddPartitions);
    Id(r.topic_id);
    Partitions(r.partitions);
  }
  void Record(const ChangePartitionRecord& r) {
    Tag(RecordTag::kChangePartition);
    Id(r.topic_id);
    Int32(r.partition.value());
    Partition(r.state);
  }
  void Record(const ChangeTopicConfigRecord& r) {
    Tag(RecordTag::kChangeTopicConfig);
    Id(r.topic_id);
    Configs(r.configs);
  }

 private:
  std::string* out_;
};

// Reader decodes what Writer wrote. Every method returns false, having
// consumed an unspecified part, on input that is short or malformed.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  std::string_view rest() const { return in_; }

  bool Byte(uint8_t* b) {
    if (in_.empty()) return false;
    *b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  bool Bool(bool* b) {
    uint8_t byte;
    if (!Byte(&byte) || byte > 1) return false;
    *b = byte == 1;
    return true;
  }
  bool Int32(int32_t* v) { return util::GetVarint32(&in_, v); }
  bool Int64(int64_t* v) { return util::GetVarint64(&in_, v); }
  // Count reads an element count; every element takes at least a byte, so
  // a count beyond the bytes left is malformed (and never allocated for).
  bool Count(size_t* n) {
    uint64_t v;
    if (!util::GetUvarint64(&in_, &v) || v > in_.size()) return false;
    *n = static_cast<size_t>(v);
    return true;
  }
  template <typename Strong>
  bool Int32As(Strong* v) {
    int32_t raw;
    if (!Int32(&raw)) return false;
    *v = Strong(raw);
    return true;
  }
  bool String(std::string* s) {
    size_t n;
    if (!Count(&n)) return false;
    s->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Id(Uuid* id) {
    if (in_.size() < id->bytes.size()) return false;
    for (uint8_t& byte : id->bytes) {
      byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
    }
    return true;
  }
  bool Nodes(std::vector<NodeId>* nodes) {
    size_t n;
    if (!Count(&n)) return false;
    nodes->resize(n);
    for (NodeId& node : *nodes) {
      if (!Int32As(&node)) return false;
    }
    return true;
  }
  bool Endpoints(std::vector<BrokerEndpoint>* endpoints) {
    size_t n;
    if (!Count(&n)) return false;
    for (size_t i = 0; i < n; ++i) {
      BrokerEndpoint& e = endpoints->emplace_back();
      if (!String(&e.listener_name) || !String(&e.host) || !Int32(&e.port)) {
        return false;
      }
    }
    return true;
  }
  bool Configs(std::map<std::string, std::string>* configs) {
    size_t n;
    if (!Count(&n)) return false;
    for (size_t i = 0; i < n; ++i) {
      std::string key;
      std::string value;
      if (!String(&key) || !String(&value)) return false;
      // The encoder writes a map: a repeated key is not its output.
      if (!configs->emplace(std::move(key), std::move(value)).second) {
        return false;
      }
    }
    return true;
  }
  bool Partition(PartitionState* p) {
    return Nodes(&p->replicas) && Nodes(&p->isr) && Nodes(&p->elr) &&
           Int32As(&p->leader) && Int32As(&p->leader_epoch) &&
           Int32(&p->partition_epoch);
  }
  bool Partitions(std::vector<PartitionState>* partitions) {
    size_t n;
    if (!Count(&n)) return false;
    for (size_t i = 0; i < n; ++i) {
      if (!Partition(&partitions->emplace_back())) return false;
    }
    return true;
  }
  bool Topic(TopicState* t) {
    return String(&t->name) && Id(&t->id) && Bool(&t->internal) &&
           Configs(&t->configs) && Partitions(&t->partitions);
  }

  bool Record(RegisterBrokerRecord* r) {
    return Int32As(&r->id) && Int64(&r->epoch) && Endpoints(&r->endpoints) &&
           Bool(&r->fenced);
  }
  bool Record(FenceBrokerRecord* r) {
    return Int32As(&r->id) && Int64(&r->epoch);
  }
  bool Record(UnfenceBrokerRecord* r) {
    return Int32As(&r->id) && Int64(&r->epoch);
  }
  bool Record(UnregisterBrokerRecord* r) {
    return Int32As(&r->id) && Int64(&r->epoch);
  }
  bool Record(CreateTopicRecord* r) { return Topic(&r->topic); }
  bool Record(DeleteTopicRecord* r) { return Id(&r->topic_id); }
  bool Record(AddPartitionsRecord* r) {
    return Id(&r->topic_id) && Partitions(&r->partitions);
  }
  bool Record(ChangePartitionRecord* r) {
    return Id(&r->topic_id) && Int32As(&r->partition) && Partition(&r->state);
  }
  bool Record(ChangeTopicConfigRecord* r) {
    return Id(&r->topic_id) && Configs(&r->configs);
  }

 private:
  std::string_view in_;
};

absl::Status Malformed(std::string_view what) {
  return absl::DataLossError(absl::StrCat(
      "malformed metadata: ", absl::string_view(what.data(), what.size())));
}

// Decodes straight into the caller's variant: building a record and then
// moving it into a temporary variant inside a StatusOr makes g++ 12 -O3 report
// false maybe-uninitialized and free-nonheap-object errors.
template <typename R>
absl::Status ReadAs(Reader& reader, std::string_view name,
                    MetadataRecord* out) {
  if (!reader.Record(&out->template emplace<R>())) {
    return Malformed(absl::StrCat(absl::string_view(name.data(), name.size()),
                                  " is truncated or invalid"));
  }
  return absl::OkStatus();
}

absl::Status ReadTagged(Reader& reader, uint8_t tag, MetadataRecord* out) {
  switch (static_cast<RecordTag>(tag)) {
    case RecordTag::kRegisterBroker:
      return ReadAs<RegisterBrokerRecord>(reader, "RegisterBrokerRecord", out);
    case RecordTag::kFenceBroker:
      return ReadAs<FenceBrokerRecord>(reader, "FenceBrokerRecord", out);
    case RecordTag::kUnfenceBroker:
      return ReadAs<UnfenceBrokerRecord>(reader, "UnfenceBrokerRecord", out);
    case RecordTag::kUnregisterBroker:
      return ReadAs<UnregisterBrokerRecord>(reader, "UnregisterBrokerRecord",
                                            out);
    case RecordTag::kCreateTopic:
      return ReadAs<CreateTopicRecord>(reader, "CreateTopicRecord", out);
    case RecordTag::kDeleteTopic:
      return ReadAs<DeleteTopicRecord>(reader, "DeleteTopicRecord", out);
    case RecordTag::kAddPartitions:
      return ReadAs<AddPartitionsRecord>(reader, "AddPartitionsRecord", out);
    case RecordTag::kChangePartition:
      return ReadAs<ChangePartitionRecord>(reader, "ChangePartitionRecord",
                                           out);
    case RecordTag::kChangeTopicConfig:
      return ReadAs<ChangeTopicConfigRecord>(reader, "ChangeTopicConfigRecord",
                                             out);
  }
  return Malformed(absl::StrCat("unknown record tag ", tag));
}

}  // namespace

void EncodeRecord(const MetadataRecord& record, std::string* out) {
  Writer writer(out);
  std::visit([&writer](const auto& r) { writer.Record(r); }, record);
}

absl::StatusOr<MetadataRecord> DecodeRecord(std::string_view* in) {
  Reader reader(*in);
  uint8_t tag;
  if (!reader.Byte(&tag)) return Malformed("a record is missing");
  absl::StatusOr<MetadataRecord> record(absl::in_place);
  RETURN_IF_ERROR(ReadTagged(reader, tag, &*record));
  *in = reader.rest();
  return record;
}

std::string EncodeBatch(int64_t base_version,
                        std::span<const MetadataRecord> records) {
  std::string out;
  Writer writer(&out);
  writer.Byte(kMetadataFormatVersion);
  writer.Int64(base_version);
  writer.Count(records.size());
  for (const MetadataRecord& record : records) EncodeRecord(record, &out);
  return out;
}

absl::StatusOr<MetadataBatch> DecodeBatch(std::string_view payload) {
  Reader reader(payload);
  uint8_t format;
  if (!reader.Byte(&format)) return Malformed("empty batch");
  if (format != kMetadataFormatVersion) {
    return Malformed(absl::StrCat("unsupported format version ", format));
  }
  MetadataBatch batch;
  size_t count;
  if (!reader.Int64(&batch.base_version) || batch.base_version < 0 ||
      !reader.Count(&count) ||
      count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() -
                                    batch.base_version)) {
    return Malformed("bad batch header");
  }
  std::string_view rest = reader.rest();
  for (size_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(MetadataRecord record, DecodeRecord(&rest));
    batch.records.push_back(std::move(record));
  }
  if (!rest.empty()) {
    return Malformed(absl::StrCat(rest.size(), " bytes after the batch"));
  }
  return batch;
}

std::string EncodeSnapshot(const ClusterImage& image) {
  return EncodeBatch(image.version(), image.SnapshotRecords());
}

absl::StatusOr<ClusterImage> DecodeSnapshot(std::string_view payload) {
  ASSIGN_OR_RETURN(MetadataBatch batch, DecodeBatch(payload));
  absl::StatusOr<ClusterImage> image =
      ClusterImage::FromSnapshot(batch.base_version, batch.records);
  if (!image.ok()) {
    return Malformed(absl::StrCat("snapshot does not rebuild an image: ",
                                  image.status().message()));
  }
  return image;
}

}  // namespace rill::replication::internal
