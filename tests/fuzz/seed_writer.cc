// rill_fuzz_seed_writer: writes the fuzzers' seed corpora
// (tests/fuzz/corpus/<fuzzer>/), so they can be made again:
//
//   rill_fuzz_seed_writer tests/data/protocol tests/fuzz/corpus
//
// request_fuzzer/: every captured client request; a default request frame
// for every (API, version) no capture covers; a few hand-made edge cases.
// produce_batch_fuzzer/: the record batches of the captured Produce
// requests, and batches built here for what the captures lack (every codec,
// LogAppendTime, producer ids, control and transactional bits, null keys on
// a compacted topic, a bad CRC). Each starts with the fuzzer's flags byte.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/header.h"
#include "protocol/messages/produce.h"
#include "protocol/request_types.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"
#include "rill/record/record_batch.h"

namespace rill {
namespace {

namespace fs = std::filesystem;
using protocol::WireWriter;

// Flags byte of produce_batch_fuzzer.
constexpr char kAllowZstd = 1 << 0;
constexpr char kCompacted = 1 << 1;
constexpr char kKeepCrc = 1 << 2;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return out.good();
}

// Frame is a request header for (key, version) followed by `body`.
std::string Frame(int16_t key, int16_t version, bool flexible,
                  const std::string& body,
                  std::optional<std::string> client_id = "rill-seed") {
  WireWriter w;
  protocol::WriteRequestHeader({.api_key = key,
                                .api_version = version,
                                .correlation_id = 1,
                                .client_id = std::move(client_id)},
                               flexible, w);
  w.Append(body);
  return w.buffer();
}

std::string Uvarint(uint32_t v) {
  WireWriter w;
  w.UnsignedVarint(v);
  return w.buffer();
}

std::string Int32(int32_t v) {
  WireWriter w;
  w.Fixed<int32_t>(v);
  return w.buffer();
}

// --- request_fuzzer ------------------------------------------------------

int WriteRequestSeeds(const fs::path& captures, const fs::path& out) {
  std::set<std::pair<int16_t, int16_t>> covered;
  int written = 0;
  for (const auto& entry : fs::directory_iterator(captures)) {
    if (entry.path().extension() != ".bin") continue;
    std::string frame = ReadFile(entry.path());
    protocol::WireReader r{std::span<char>(frame)};
    protocol::RequestHeader header;
    if (!protocol::ReadRequestHeader(r, &header).ok()) continue;
    covered.insert({header.api_key, header.api_version});
    written += WriteFile(out / entry.path().filename(), frame);
  }

  protocol::ForEachRequestType([&]<typename R>(std::type_identity<R>) {
    for (int16_t v = R::kVersions.min; v <= R::kVersions.max; ++v) {
      const auto key = static_cast<int16_t>(R::kApiKey);
      if (covered.count({key, v})) continue;
      WireWriter body;
      protocol::Encode(R{}, v, body);
      const std::string name = std::string("default-") +
                               protocol::ApiKeyName(key) + "-v" +
                               std::to_string(v) + ".bin";
      written += WriteFile(
          out / name,
          Frame(key, v, R::kFlexibleVersions.Contains(v), body.buffer()));
    }
  });

  // Hand-made edge cases.
  const auto api = [](protocol::ApiKey k) { return static_cast<int16_t>(k); };
  // Tagged fields in the header and the body, one of each unknown.
  std::string tagged;
  tagged += Uvarint(1) + Uvarint(7) + Uvarint(2) + "xy";  // header tags
  tagged += Uvarint(5) + "rill" + Uvarint(4) + "1.0";     // name, version
  tagged += Uvarint(1) + Uvarint(3) + Uvarint(1) + "z";   // body tags
  {
    WireWriter w;
    protocol::WriteRequestHeader(
        {.api_key = api(protocol::ApiKey::kApiVersions),
         .api_version = 3,
         .correlation_id = 1,
         .client_id = "rill-seed"},
        /*flexible=*/false, w);
    w.Append(tagged);
    written += WriteFile(out / "edge-ApiVersions-v3-tagged.bin", w.buffer());
  }
  // A null client id.
  written +=
      WriteFile(out / "edge-Heartbeat-v0-null-client-id.bin",
                Frame(api(protocol::ApiKey::kHeartbeat), 0, false,
                      std::string("\x00\x01g\x00\x00\x00\x01\x00\x01m", 10),
                      std::nullopt));
  // An array that claims far more elements than there are bytes.
  written += WriteFile(out / "edge-Metadata-v4-huge-array.bin",
                       Frame(api(protocol::ApiKey::kMetadata), 4, false,
                             Int32(0x7fffffff) + std::string("\x00\x01t", 3)));
  // A compact null array (OffsetFetch v7: all topics).
  written += WriteFile(
      out / "edge-OffsetFetch-v7-null-topics.bin",
      Frame(api(protocol::ApiKey::kOffsetFetch), 7, true,
            Uvarint(2) + "g" + Uvarint(0) + std::string(1, 1) + Uvarint(0)));
  // Produce with null records.
  written += WriteFile(
      out / "edge-Produce-v3-null-records.bin",
      Frame(api(protocol::ApiKey::kProduce), 3, false,
            std::string("\xff\xff\x00\x01\x00\x00\x03\xe8", 8) + Int32(1) +
                std::string("\x00\x01t", 3) + Int32(1) + Int32(0) + Int32(-1)));
  // An API key rill does not know.
  written += WriteFile(out / "edge-unknown-key.bin",
                       Frame(99, 0, false, std::string("\x00\x00", 2)));
  return written;
}

// --- produce_batch_fuzzer ------------------------------------------------

int WriteBatchSeeds(const fs::path& captures, const fs::path& out) {
  int written = 0;
  for (const auto& entry : fs::directory_iterator(captures)) {
    const std::string name = entry.path().filename().string();
    if (name.find("-Produce-") == std::string::npos) continue;
    std::string frame = ReadFile(entry.path());
    protocol::WireReader r{std::span<char>(frame)};
    protocol::RequestHeader header;
    protocol::ProduceRequest request;
    if (!protocol::ReadRequestHeader(r, &header).ok() ||
        !protocol::Decode(r, header.api_version, &request).ok()) {
      continue;
    }
    for (const auto& topic : request.topic_data) {
      for (const auto& partition : topic.partition_data) {
        const std::string batch(partition.records.view.data(),
                                partition.records.view.size());
        written += WriteFile(out / name, std::string(1, kAllowZstd) + batch);
      }
    }
  }

  struct Built {
    std::string name;
    char flags;
    record::BatchOptions options;
    bool null_key;
  };
  using record::Compression;
  const std::vector<Built> built = {
      {"built-none", kAllowZstd, {.compression = Compression::kNone}, false},
      {"built-gzip", kAllowZstd, {.compression = Compression::kGzip}, false},
      {"built-snappy",
       kAllowZstd,
       {.compression = Compression::kSnappy},
       false},
      {"built-lz4", kAllowZstd, {.compression = Compression::kLz4}, false},
      {"built-zstd", kAllowZstd, {.compression = Compression::kZstd}, false},
      {"built-zstd-below-v7", 0, {.compression = Compression::kZstd}, false},
      {"built-compacted-null-key",
       kAllowZstd | kCompacted,
       {.compression = Compression::kLz4},
       true},
      {"built-log-append-time",
       kAllowZstd,
       {.timestamp_type = record::TimestampType::kLogAppendTime},
       false},
      {"built-idempotent",
       kAllowZstd,
       {.producer_id = 42, .producer_epoch = 3, .base_sequence = 10},
       false},
      {"built-transactional",
       kAllowZstd,
       {.producer_id = 42,
        .producer_epoch = 3,
        .base_sequence = 0,
        .is_transactional = true},
       false},
  };
  for (const Built& b : built) {
    record::RecordBatchBuilder builder(b.options);
    for (int i = 0; i < 3; ++i) {
      const std::string value = "value-" + std::to_string(i);
      builder.Append({.timestamp_ms = 1'700'000'000'000 + i,
                      .key = b.null_key && i == 1
                                 ? std::nullopt
                                 : std::optional<std::string_view>("key"),
                      .value = value,
                      .headers = {{.key = "h", .value = "v"}, {.key = "n"}}});
    }
    absl::StatusOr<std::string> batch = builder.Build();
    if (!batch.ok()) continue;
    written +=
        WriteFile(out / (b.name + ".bin"), std::string(1, b.flags) + *batch);
    if (b.name == "built-none") {
      // The same batch twice (one batch per partition only), and once with
      // a CRC that is wrong and kept.
      written += WriteFile(out / "built-two-batches.bin",
                           std::string(1, kAllowZstd) + *batch + *batch);
      std::string bad_crc = *batch;
      bad_crc[17] = static_cast<char>(bad_crc[17] ^ 0x5a);
      written += WriteFile(out / "built-bad-crc.bin",
                           std::string(1, kAllowZstd | kKeepCrc) + bad_crc);
    }
  }
  record::RecordBatchBuilder control({.is_control = true});
  const std::string key =
      record::ControlRecordKey(record::ControlType::kCommit);
  const std::string value = record::ControlRecordValue(5);
  control.Append(
      {.timestamp_ms = 1'700'000'000'000, .key = key, .value = value});
  if (absl::StatusOr<std::string> batch = control.Build(); batch.ok()) {
    written += WriteFile(out / "built-control.bin",
                         std::string(1, kAllowZstd) + *batch);
  }
  return written;
}

}  // namespace
}  // namespace rill

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <captures dir> <corpus dir>\n", argv[0]);
    return 2;
  }
  namespace fs = std::filesystem;
  const fs::path captures = argv[1];
  const fs::path corpus = argv[2];
  const fs::path requests = corpus / "request_fuzzer";
  const fs::path batches = corpus / "produce_batch_fuzzer";
  fs::create_directories(requests);
  fs::create_directories(batches);
  const int r = rill::WriteRequestSeeds(captures, requests);
  const int b = rill::WriteBatchSeeds(captures, batches);
  std::printf("%d request seeds in %s, %d batch seeds in %s\n", r,
              requests.c_str(), b, batches.c_str());
  return r > 0 && b > 0 ? 0 : 1;
}
