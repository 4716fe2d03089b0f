#include "broker/producer_state_snapshot.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/format.h"
#include "util/crc32c.h"
#include "util/endian.h"
#include "util/status_macros.h"

namespace rill::broker {
namespace {

using util::AppendBigEndian;
using util::LoadBigEndian;

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(absl::StrCat(
      "producer snapshot: ", absl::string_view(what.data(), what.size())));
}

// Reader walks the bytes of a snapshot with bounds checks.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  template <typename T>
  bool Read(T* out) {
    if (rest_.size() < sizeof(T)) return false;
    *out = LoadBigEndian<T>(rest_.data());
    rest_.remove_prefix(sizeof(T));
    return true;
  }
  size_t remaining() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

}  // namespace

std::string EncodeProducerSnapshot(Offset offset,
                                   const ProducerStateTable& table) {
  std::string out(format::kSnapshotMagic, sizeof(format::kSnapshotMagic));
  AppendBigEndian<int16_t>(&out, format::kSnapshotVersion);
  AppendBigEndian<uint32_t>(&out, 0);  // CRC, filled in below
  AppendBigEndian<int64_t>(&out, offset.value());
  AppendBigEndian<int32_t>(&out, static_cast<int32_t>(table.size()));
  // Sorted by producer id, so equal states give equal files.
  std::vector<std::pair<ProducerId, const ProducerEntry*>> entries;
  entries.reserve(table.size());
  for (const auto& [id, entry] : table.producers()) {
    entries.emplace_back(id, &entry);
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [id, entry] : entries) {
    AppendBigEndian<int64_t>(&out, id.value());
    AppendBigEndian<int16_t>(&out, entry->epoch.value());
    AppendBigEndian<int64_t>(&out, entry->last_timestamp_ms);
    AppendBigEndian<int32_t>(&out, static_cast<int32_t>(entry->batches.size()));
    for (const BatchMetadata& b : entry->batches) {
      AppendBigEndian<int32_t>(&out, b.first_seq);
      AppendBigEndian<int32_t>(&out, b.last_seq);
      AppendBigEndian<int64_t>(&out, b.first_offset.value());
      AppendBigEndian<int64_t>(&out, b.last_offset.value());
      AppendBigEndian<int64_t>(&out, b.timestamp_ms);
    }
  }
  const uint32_t crc = util::crc32c::Value(out.data() + format::kCrcStart,
                                           out.size() - format::kCrcStart);
  util::StoreBigEndian<uint32_t>(out.data() + format::kCrcOffset, crc);
  return out;
}

absl::StatusOr<LoadedSnapshot> DecodeProducerSnapshot(std::string_view bytes) {
  if (bytes.size() < format::kHeaderSize) return Corrupt("file too short");
  if (std::memcmp(bytes.data(), format::kSnapshotMagic,
                  sizeof(format::kSnapshotMagic)) != 0) {
    return Corrupt("bad magic");
  }
  const int16_t version =
      LoadBigEndian<int16_t>(bytes.data() + format::kVersionOffset);
  if (version != format::kSnapshotVersion) {
    return Corrupt(absl::StrCat("unknown version ", version));
  }
  const uint32_t stored =
      LoadBigEndian<uint32_t>(bytes.data() + format::kCrcOffset);
  const uint32_t actual = util::crc32c::Value(bytes.data() + format::kCrcStart,
                                              bytes.size() - format::kCrcStart);
  if (stored != actual) return Corrupt("CRC mismatch");

  LoadedSnapshot snapshot;
  Reader in(bytes.substr(format::kSnapshotOffsetOffset));
  int64_t offset = 0;
  int32_t count = 0;
  in.Read(&offset);
  in.Read(&count);
  if (offset < 0) return Corrupt("negative offset");
  snapshot.offset = Offset(offset);
  if (count < 0 ||
      static_cast<size_t>(count) > in.remaining() / format::kEntryHeaderSize) {
    return Corrupt(absl::StrCat("bad producer count ", count));
  }
  for (int32_t i = 0; i < count; ++i) {
    int64_t id = 0;
    int16_t epoch = 0;
    int32_t batches = 0;
    ProducerEntry entry;
    if (!in.Read(&id) || !in.Read(&epoch) ||
        !in.Read(&entry.last_timestamp_ms) || !in.Read(&batches)) {
      return Corrupt("truncated entry");
    }
    if (id < 0 || batches < 0 || batches > format::kMaxCachedBatches) {
      return Corrupt(absl::StrCat("bad entry for producer ", id));
    }
    entry.epoch = ProducerEpoch(epoch);
    for (int32_t j = 0; j < batches; ++j) {
      BatchMetadata b;
      int64_t first = 0;
      int64_t last = 0;
      if (!in.Read(&b.first_seq) || !in.Read(&b.last_seq) || !in.Read(&first) ||
          !in.Read(&last) || !in.Read(&b.timestamp_ms)) {
        return Corrupt("truncated batch");
      }
      b.first_offset = Offset(first);
      b.last_offset = Offset(last);
      entry.batches.push_back(b);
    }
    if (snapshot.table.Find(ProducerId(id)) != nullptr) {
      return Corrupt(absl::StrCat("producer ", id, " appears twice"));
    }
    snapshot.table.Put(ProducerId(id), std::move(entry));
  }
  if (in.remaining() != 0) return Corrupt("trailing bytes");
  return snapshot;
}

std::string ProducerSnapshotFileName(Offset offset) {
  return absl::StrFormat("%0*d%s", format::kSnapshotNameDigits, offset.value(),
                         format::kSnapshotSuffix);
}

std::optional<Offset> ParseProducerSnapshotFileName(std::string_view name) {
  const std::string_view suffix = format::kSnapshotSuffix;
  if (name.size() != format::kSnapshotNameDigits + suffix.size() ||
      name.substr(format::kSnapshotNameDigits) != suffix) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (char c : name.substr(0, format::kSnapshotNameDigits)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
    const int digit = c - '0';
    if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) {
      return std::nullopt;
    }
    value = value * 10 + digit;
  }
  return Offset(value);
}

absl::StatusOr<std::vector<Offset>> ListProducerSnapshots(
    io::FileSystem& fs, const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  std::vector<Offset> offsets;
  for (const std::string& name : names) {
    if (auto offset = ParseProducerSnapshotFileName(name)) {
      offsets.push_back(*offset);
    }
  }
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

absl::Status WriteProducerSnapshot(io::FileSystem& fs, const std::string& dir,
                                   Offset offset, std::string_view encoded) {
  RETURN_IF_ERROR(io::WriteFileAtomically(
      fs, io::JoinPath(dir, ProducerSnapshotFileName(offset)), encoded));
  ASSIGN_OR_RETURN(std::vector<Offset> offsets, ListProducerSnapshots(fs, dir));
  // A snapshot newer than the one just written (the log was truncated since)
  // would be loaded first on open; it must go too.
  std::vector<Offset> keep;
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    if (*it > offset || keep.size() == format::kSnapshotsKept) {
      RETURN_IF_ERROR(io::RemoveFileIfExists(
          fs, io::JoinPath(dir, ProducerSnapshotFileName(*it))));
    } else {
      keep.push_back(*it);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<LoadedSnapshot>> LoadNewestProducerSnapshot(
    io::FileSystem& fs, const std::string& dir, Offset max_offset) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  for (const std::string& name : names) {
    if (absl::EndsWith(name, format::kSnapshotTempSuffix)) {
      RETURN_IF_ERROR(io::RemoveFileIfExists(fs, io::JoinPath(dir, name)));
    }
  }
  ASSIGN_OR_RETURN(std::vector<Offset> offsets, ListProducerSnapshots(fs, dir));
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    const std::string path = io::JoinPath(dir, ProducerSnapshotFileName(*it));
    if (*it <= max_offset) {
      ASSIGN_OR_RETURN(std::string bytes, io::ReadFileToString(fs, path));
      absl::StatusOr<LoadedSnapshot> snapshot = DecodeProducerSnapshot(bytes);
      if (snapshot.ok() && snapshot->offset == *it) {
        return std::move(*snapshot);
      }
    }
    // Past the log end (the log lost its tail since) or unreadable: the
    // log's batches will rebuild what it held.
    RETURN_IF_ERROR(io::RemoveFileIfExists(fs, path));
  }
  return std::nullopt;
}

}  // namespace rill::broker
