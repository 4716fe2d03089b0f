#include "client/consumer_protocol.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/endian.h"
#include "util/status_macros.h"

namespace rill::client {
namespace {

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed consumer protocol message: ",
                   absl::string_view(what.data(), what.size())));
}

// Reader walks a message, bounds-checking every field. Counts are checked
// against the bytes left (times the smallest element size) before anything
// is allocated, so a hostile count cannot make us reserve gigabytes.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  template <typename T>
  absl::StatusOr<T> Int(std::string_view field) {
    if (in_.size() < sizeof(T)) return Malformed(field);
    T value = util::LoadBigEndian<T>(in_.data());
    in_.remove_prefix(sizeof(T));
    return value;
  }

  // Count reads an int32 array length; -1 (null) is not allowed for the
  // arrays of this protocol.
  absl::StatusOr<size_t> Count(std::string_view field, size_t min_elem_size) {
    ASSIGN_OR_RETURN(int32_t n, Int<int32_t>(field));
    if (n < 0) return Malformed(field);
    if (static_cast<size_t>(n) > in_.size() / min_elem_size) {
      return Malformed(field);
    }
    return static_cast<size_t>(n);
  }

  absl::StatusOr<std::optional<std::string>> NullableString(
      std::string_view field) {
    ASSIGN_OR_RETURN(int16_t len, Int<int16_t>(field));
    if (len == -1) return std::optional<std::string>();
    return Take(len, field);
  }

  absl::StatusOr<std::string> String(std::string_view field) {
    ASSIGN_OR_RETURN(std::optional<std::string> s, NullableString(field));
    if (!s.has_value()) return Malformed(field);
    return std::move(*s);
  }

  absl::StatusOr<std::optional<std::string>> NullableBytes(
      std::string_view field) {
    ASSIGN_OR_RETURN(int32_t len, Int<int32_t>(field));
    if (len == -1) return std::optional<std::string>();
    return Take(len, field);
  }

  absl::StatusOr<std::vector<ConsumerProtocolTopicPartitions>>
  TopicPartitionsArray(std::string_view field) {
    // Smallest element: an empty topic name (2) and no partitions (4).
    ASSIGN_OR_RETURN(size_t n, Count(field, 6));
    std::vector<ConsumerProtocolTopicPartitions> out(n);
    for (ConsumerProtocolTopicPartitions& tp : out) {
      ASSIGN_OR_RETURN(tp.topic, String(field));
      ASSIGN_OR_RETURN(size_t partitions, Count(field, sizeof(int32_t)));
      tp.partitions.resize(partitions);
      for (int32_t& p : tp.partitions) {
        ASSIGN_OR_RETURN(p, Int<int32_t>(field));
      }
    }
    return out;
  }

  absl::StatusOr<int16_t> Version() {
    ASSIGN_OR_RETURN(int16_t version, Int<int16_t>("version"));
    if (version < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported consumer protocol version ", version));
    }
    return version;
  }

 private:
  absl::StatusOr<std::optional<std::string>> Take(int64_t len,
                                                  std::string_view field) {
    if (len < 0 || static_cast<uint64_t>(len) > in_.size()) {
      return Malformed(field);
    }
    std::optional<std::string> out(std::in_place, in_.substr(0, len));
    in_.remove_prefix(len);
    return out;
  }

  std::string_view in_;
};

absl::Status CheckVersion(int16_t version) {
  if (version < 0 || version > kConsumerProtocolMaxVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot encode consumer protocol version ", version,
                     "; supported: 0..", kConsumerProtocolMaxVersion));
  }
  return absl::OkStatus();
}

absl::Status PutString(std::string_view s, std::string* out) {
  if (s.size() > static_cast<size_t>(std::numeric_limits<int16_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "string of ", s.size(), " bytes is too long for the protocol"));
  }
  util::AppendBigEndian<int16_t>(out, static_cast<int16_t>(s.size()));
  out->append(s);
  return absl::OkStatus();
}

absl::Status PutNullableString(const std::optional<std::string>& s,
                               std::string* out) {
  if (!s.has_value()) {
    util::AppendBigEndian<int16_t>(out, -1);
    return absl::OkStatus();
  }
  return PutString(*s, out);
}

absl::Status PutCount(size_t n, std::string* out) {
  if (n > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError("array too long for the protocol");
  }
  util::AppendBigEndian<int32_t>(out, static_cast<int32_t>(n));
  return absl::OkStatus();
}

absl::Status PutNullableBytes(const std::optional<std::string>& b,
                              std::string* out) {
  if (!b.has_value()) {
    util::AppendBigEndian<int32_t>(out, -1);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(PutCount(b->size(), out));
  out->append(*b);
  return absl::OkStatus();
}

absl::Status PutTopicPartitionsArray(
    const std::vector<ConsumerProtocolTopicPartitions>& array,
    std::string* out) {
  RETURN_IF_ERROR(PutCount(array.size(), out));
  for (const ConsumerProtocolTopicPartitions& tp : array) {
    RETURN_IF_ERROR(PutString(tp.topic, out));
    RETURN_IF_ERROR(PutCount(tp.partitions.size(), out));
    for (int32_t p : tp.partitions) util::AppendBigEndian<int32_t>(out, p);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> EncodeSubscription(
    const ConsumerProtocolSubscription& subscription) {
  const int16_t version = subscription.version;
  RETURN_IF_ERROR(CheckVersion(version));
  std::string out;
  util::AppendBigEndian<int16_t>(&out, version);
  RETURN_IF_ERROR(PutCount(subscription.topics.size(), &out));
  for (const std::string& topic : subscription.topics) {
    RETURN_IF_ERROR(PutString(topic, &out));
  }
  RETURN_IF_ERROR(PutNullableBytes(subscription.user_data, &out));
  if (version >= 1) {
    RETURN_IF_ERROR(
        PutTopicPartitionsArray(subscription.owned_partitions, &out));
  }
  if (version >= 2) {
    util::AppendBigEndian<int32_t>(&out, subscription.generation_id);
  }
  if (version >= 3) {
    RETURN_IF_ERROR(PutNullableString(subscription.rack_id, &out));
  }
  return out;
}

absl::StatusOr<ConsumerProtocolSubscription> DecodeSubscription(
    std::string_view bytes) {
  Reader in(bytes);
  ConsumerProtocolSubscription s;
  ASSIGN_OR_RETURN(s.version, in.Version());
  ASSIGN_OR_RETURN(size_t topics, in.Count("topics", sizeof(int16_t)));
  s.topics.resize(topics);
  for (std::string& topic : s.topics) {
    ASSIGN_OR_RETURN(topic, in.String("topics"));
  }
  ASSIGN_OR_RETURN(s.user_data, in.NullableBytes("user_data"));
  if (s.version >= 1) {
    ASSIGN_OR_RETURN(s.owned_partitions,
                     in.TopicPartitionsArray("owned_partitions"));
  }
  if (s.version >= 2) {
    ASSIGN_OR_RETURN(s.generation_id, in.Int<int32_t>("generation_id"));
  }
  if (s.version >= 3) {
    ASSIGN_OR_RETURN(s.rack_id, in.NullableString("rack_id"));
  }
  return s;
}

absl::StatusOr<std::string> EncodeAssignment(
    const ConsumerProtocolAssignment& assignment) {
  RETURN_IF_ERROR(CheckVersion(assignment.version));
  std::string out;
  util::AppendBigEndian<int16_t>(&out, assignment.version);
  RETURN_IF_ERROR(
      PutTopicPartitionsArray(assignment.assigned_partitions, &out));
  RETURN_IF_ERROR(PutNullableBytes(assignment.user_data, &out));
  return out;
}

absl::StatusOr<ConsumerProtocolAssignment> DecodeAssignment(
    std::string_view bytes) {
  Reader in(bytes);
  ConsumerProtocolAssignment a;
  ASSIGN_OR_RETURN(a.version, in.Version());
  ASSIGN_OR_RETURN(a.assigned_partitions,
                   in.TopicPartitionsArray("assigned_partitions"));
  ASSIGN_OR_RETURN(a.user_data, in.NullableBytes("user_data"));
  return a;
}

std::vector<ConsumerProtocolTopicPartitions> GroupByTopic(
    std::span<const TopicPartition> partitions) {
  std::vector<ConsumerProtocolTopicPartitions> out;
  std::unordered_map<std::string_view, size_t> index;  // topic -> out[i]
  for (const TopicPartition& tp : partitions) {
    auto [it, inserted] = index.try_emplace(tp.topic, out.size());
    if (inserted) out.push_back({.topic = tp.topic});
    out[it->second].partitions.push_back(tp.partition.value());
  }
  return out;
}

std::vector<TopicPartition> FlattenTopicPartitions(
    std::span<const ConsumerProtocolTopicPartitions> grouped) {
  std::vector<TopicPartition> out;
  for (const ConsumerProtocolTopicPartitions& group : grouped) {
    for (int32_t p : group.partitions) {
      out.push_back({.topic = group.topic, .partition = PartitionId(p)});
    }
  }
  return out;
}

}  // namespace rill::client
