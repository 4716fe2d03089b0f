// Control records: the transaction markers (COMMIT / ABORT) a transaction
// coordinator writes into each partition a transaction touched.
#include "absl/strings/str_cat.h"
#include "record/format.h"
#include "rill/record/record_batch.h"
#include "util/endian.h"

namespace rill::record {

std::string ControlRecordKey(ControlType type) {
  std::string key;
  util::AppendBigEndian(&key, format::kControlRecordVersion);
  util::AppendBigEndian(&key, static_cast<int16_t>(type));
  return key;
}

std::string ControlRecordValue(int32_t coordinator_epoch) {
  std::string value;
  util::AppendBigEndian(&value, format::kControlRecordVersion);
  util::AppendBigEndian(&value, coordinator_epoch);
  return value;
}

// Newer key versions are read as version 0, as Kafka does: fields are only
// ever appended, so the prefix keeps its meaning.
absl::StatusOr<ControlType> ParseControlRecordKey(std::string_view key) {
  if (key.size() < format::kControlKeySize) {
    return absl::DataLossError(
        absl::StrCat("control record key of ", key.size(), " bytes"));
  }
  const auto version = util::LoadBigEndian<int16_t>(key.data());
  if (version < 0) {
    return absl::DataLossError(
        absl::StrCat("control record key version ", version));
  }
  const auto type = util::LoadBigEndian<int16_t>(key.data() + 2);
  switch (type) {
    case static_cast<int16_t>(ControlType::kAbort):
      return ControlType::kAbort;
    case static_cast<int16_t>(ControlType::kCommit):
      return ControlType::kCommit;
    default:
      // Kafka has more types (e.g. KRaft's LEADER_CHANGE) that rill neither
      // writes nor interprets.
      return absl::InvalidArgumentError(
          absl::StrCat("unknown control record type ", type));
  }
}

absl::StatusOr<int32_t> ParseControlRecordValue(std::string_view value) {
  if (value.size() < format::kControlValueSize) {
    return absl::DataLossError(
        absl::StrCat("control record value of ", value.size(), " bytes"));
  }
  const auto version = util::LoadBigEndian<int16_t>(value.data());
  if (version < 0) {
    return absl::DataLossError(
        absl::StrCat("control record value version ", version));
  }
  return util::LoadBigEndian<int32_t>(value.data() + 2);
}

}  // namespace rill::record
