// Helpers shared by the record layer's tests: owned records (the library's
// Record holds views), sample records covering every field shape, and hex.
#ifndef RILL_TESTS_RECORD_RECORD_TEST_UTIL_H_
#define RILL_TESTS_RECORD_RECORD_TEST_UTIL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rill/record/record_batch.h"

namespace rill::record::testing {

inline constexpr std::array<Compression, 5> kAllCodecs = {
    Compression::kNone, Compression::kGzip, Compression::kSnappy,
    Compression::kLz4, Compression::kZstd};

inline const char* CodecName(Compression codec) {
  switch (codec) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

inline std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Unhex decodes hex digits, ignoring spaces and newlines (so golden bytes
// can be laid out field by field).
inline std::string Unhex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else {
      continue;
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high << 4 | v));
      high = -1;
    }
  }
  return out;
}

// OwnedRecord is a Record that owns its bytes.
struct OwnedRecord {
  int64_t timestamp_ms = 0;
  std::optional<std::string> key = {};
  std::optional<std::string> value = {};
  std::vector<std::pair<std::string, std::optional<std::string>>> headers = {};

  // view returns a Record pointing into this one.
  Record view() const {
    Record r{.timestamp_ms = timestamp_ms, .key = key, .value = value};
    for (const auto& [k, v] : headers) {
      r.headers.push_back({.key = k, .value = v});
    }
    return r;
  }
};

// SampleRecords covers null and empty keys and values, headers with null and
// empty values, repeated header keys, a timestamp below the first, and
// `large` adds a 160 KiB value (past codec block sizes).
inline std::vector<OwnedRecord> SampleRecords(bool large = false) {
  const int64_t ts = 1700000000000;
  const std::string filler(200, 'x');
  std::vector<OwnedRecord> records = {
      {ts, "key-0", "value-0" + filler, {}},
      {ts + 7, std::nullopt, "no key" + filler, {{"h", "v"}}},
      {ts - 3,
       "key-2",
       std::nullopt,
       {{"trace", std::nullopt}, {"caf\xc3\xa9", ""}}},
      {ts + 1000, "", "", {}},
      {ts + 2,
       "key-4",
       std::string("\0\xff binary", 9),
       {{"a", "1"}, {"b", std::string("\0\xff", 2)}, {"a", "2"}}},
  };
  if (large) {
    std::string big;
    for (int i = 0; i < 160 * 1024; ++i) {
      big.push_back(static_cast<char>((i * 7) % 251));
    }
    records.push_back({ts + 5, "big", big, {{"size", "163840"}}});
  }
  return records;
}

// Build builds a batch of `records`; fails the test on error.
inline absl::StatusOr<std::string> Build(
    const BatchOptions& options, const std::vector<OwnedRecord>& records) {
  RecordBatchBuilder builder(options);
  for (const OwnedRecord& r : records) builder.Append(r.view());
  return builder.Build();
}

// ToOwned copies a decoded record's fields for comparison.
inline OwnedRecord ToOwned(const RecordView& r) {
  OwnedRecord o{.timestamp_ms = r.timestamp_ms};
  if (r.key) o.key = std::string(*r.key);
  if (r.value) o.value = std::string(*r.value);
  for (const RecordHeader& h : r.headers) {
    o.headers.emplace_back(
        std::string(h.key),
        h.value ? std::optional<std::string>(*h.value) : std::nullopt);
  }
  return o;
}

inline bool operator==(const OwnedRecord& a, const OwnedRecord& b) {
  return a.timestamp_ms == b.timestamp_ms && a.key == b.key &&
         a.value == b.value && a.headers == b.headers;
}

}  // namespace rill::record::testing

#endif  // RILL_TESTS_RECORD_RECORD_TEST_UTIL_H_
