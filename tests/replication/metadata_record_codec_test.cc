#include "replication/metadata_record_codec.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "metadata_samples.h"
#include "replication/metadata_format.h"
#include "replication/metadata_frames.h"
#include "status_test_util.h"

namespace rill::replication {
namespace {

using internal::DecodeBatch;
using internal::DecodeRecord;
using internal::DecodeSnapshot;
using internal::EncodeBatch;
using internal::EncodeRecord;
using internal::EncodeSnapshot;
using test::SampleBatches;
using test::SampleId;
using test::SamplePartition;

// EveryRecordType has one record of each type, with values at the edges of
// their ranges.
std::vector<MetadataRecord> EveryRecordType() {
  PartitionState offline = SamplePartition({7, -3, 2147483647}, -1);
  offline.isr = {NodeId(-3)};
  offline.leader_epoch = LeaderEpoch(std::numeric_limits<int32_t>::max());
  offline.partition_epoch = std::numeric_limits<int32_t>::min();
  return {
      RegisterBrokerRecord{
          .id = NodeId(std::numeric_limits<int32_t>::max()),
          .epoch = std::numeric_limits<int64_t>::max(),
          .endpoints = {{.listener_name = "", .host = "", .port = -1},
                        {.listener_name = "SASL_SSL",
                         .host = std::string("h\0st\xff", 6),
                         .port = 65535}},
          .fenced = false},
      FenceBrokerRecord{.id = NodeId(0), .epoch = -1},
      UnfenceBrokerRecord{.id = NodeId(-7), .epoch = 1LL << 40},
      UnregisterBrokerRecord{.id = NodeId(3),
                             .epoch = std::numeric_limits<int64_t>::min()},
      CreateTopicRecord{
          .topic = {.name = std::string(300, 't'),
                    .id = SampleId(9),
                    .internal = true,
                    .configs = {{"", ""}, {"retention.ms", "-1"}},
                    .partitions = {SamplePartition({1, 2, 3}, 2), offline}}},
      DeleteTopicRecord{.topic_id = SampleId(255)},
      AddPartitionsRecord{.topic_id = Uuid{},
                          .partitions = {offline, SamplePartition({4}, 4)}},
      ChangePartitionRecord{.topic_id = SampleId(1),
                            .partition = PartitionId(-2),
                            .state = offline},
      ChangeTopicConfigRecord{.topic_id = SampleId(2), .configs = {}},
  };
}

TEST_CASE("Every record type round-trips through the codec",
          "[replication][codec]") {
  const std::vector<MetadataRecord> records = EveryRecordType();
  std::set<size_t> types;
  for (const MetadataRecord& record : records) types.insert(record.index());
  REQUIRE(types.size() == std::variant_size_v<MetadataRecord>);

  for (const MetadataRecord& record : records) {
    CAPTURE(record.index());
    std::string bytes;
    EncodeRecord(record, &bytes);
    std::string_view in = bytes;
    ASSIGN_OR_REQUIRE(MetadataRecord decoded, DecodeRecord(&in));
    CHECK(decoded == record);
    CHECK(in.empty());
  }
}

TEST_CASE("A batch round-trips with its base version", "[replication][codec]") {
  const std::vector<MetadataRecord> records = EveryRecordType();
  const std::string payload = EncodeBatch(41, records);
  CHECK(payload[0] == static_cast<char>(internal::kMetadataFormatVersion));
  ASSIGN_OR_REQUIRE(internal::MetadataBatch batch, DecodeBatch(payload));
  CHECK(batch.base_version == 41);
  CHECK(batch.end_version() == 41 + static_cast<int64_t>(records.size()));
  CHECK(batch.records == records);

  ASSIGN_OR_REQUIRE(internal::MetadataBatch empty,
                    DecodeBatch(EncodeBatch(0, {})));
  CHECK(empty.records.empty());
}

TEST_CASE("A snapshot rebuilds an equal image, version included",
          "[replication][codec]") {
  const std::vector<ClusterImage> images = test::ImagesAfter(SampleBatches());
  for (const ClusterImage& image : images) {
    CAPTURE(image.version());
    ASSIGN_OR_REQUIRE(ClusterImage decoded,
                      DecodeSnapshot(EncodeSnapshot(image)));
    CHECK(decoded.version() == image.version());
    CHECK(decoded == image);
  }
}

TEST_CASE("Truncated, padded or unknown encodings are kDataLoss",
          "[replication][codec]") {
  const std::string payload = EncodeBatch(3, EveryRecordType());
  SECTION("every strict prefix") {
    for (size_t n = 0; n < payload.size(); ++n) {
      CAPTURE(n);
      CHECK(DecodeBatch(payload.substr(0, n)).status().code() ==
            absl::StatusCode::kDataLoss);
    }
  }
  SECTION("a byte after the records") {
    CHECK(DecodeBatch(payload + '\0').status().code() ==
          absl::StatusCode::kDataLoss);
  }
  SECTION("a format version from the future") {
    std::string future = payload;
    future[0] = static_cast<char>(internal::kMetadataFormatVersion + 1);
    CHECK(DecodeBatch(future).status().code() == absl::StatusCode::kDataLoss);
  }
  SECTION("an unknown record tag") {
    std::string bytes = "\x0a";
    std::string_view in = bytes;
    CHECK(DecodeRecord(&in).status().code() == absl::StatusCode::kDataLoss);
  }
  SECTION("a bool that is neither 0 nor 1") {
    std::string bytes;
    EncodeRecord(RegisterBrokerRecord{.id = NodeId(1), .epoch = 1}, &bytes);
    bytes.back() = 2;  // `fenced` is last
    std::string_view in = bytes;
    CHECK(DecodeRecord(&in).status().code() == absl::StatusCode::kDataLoss);
  }
  SECTION("a negative base version") {
    CHECK(DecodeBatch(EncodeBatch(-1, {})).status().code() ==
          absl::StatusCode::kDataLoss);
  }
  SECTION("a snapshot with more records than its version") {
    const std::vector<MetadataRecord> records = SampleBatches()[0];
    CHECK(DecodeSnapshot(EncodeBatch(1, records)).status().code() ==
          absl::StatusCode::kDataLoss);
  }
}

// Decodes `bytes` every way the store does; whatever it is, the result is a
// value or kDataLoss, and a decoded batch encodes back to itself.
void DecodeAnything(const std::string& bytes) {
  absl::StatusOr<internal::MetadataBatch> batch = DecodeBatch(bytes);
  if (batch.ok()) {
    ASSIGN_OR_REQUIRE(
        internal::MetadataBatch again,
        DecodeBatch(EncodeBatch(batch->base_version, batch->records)));
    REQUIRE(again.records == batch->records);
  } else {
    REQUIRE(batch.status().code() == absl::StatusCode::kDataLoss);
  }
  absl::StatusOr<ClusterImage> image = DecodeSnapshot(bytes);
  REQUIRE((image.ok() || image.status().code() == absl::StatusCode::kDataLoss));
  std::string_view in = bytes;
  absl::StatusOr<MetadataRecord> record = DecodeRecord(&in);
  REQUIRE(
      (record.ok() || record.status().code() == absl::StatusCode::kDataLoss));
  absl::StatusOr<internal::FrameScan> scan = internal::ScanFrames(bytes);
  REQUIRE((scan.ok() || scan.status().code() == absl::StatusCode::kDataLoss));
}

TEST_CASE("Random and mutated bytes never crash the decoders",
          "[replication][codec]") {
  std::mt19937 random(20240611);
  auto byte = [&random] {
    return static_cast<char>(
        std::uniform_int_distribution<int>(0, 255)(random));
  };
  const std::string valid = EncodeBatch(5, EveryRecordType());

  SECTION("random bytes, some with a plausible header") {
    for (int i = 0; i < 20000; ++i) {
      std::string bytes(std::uniform_int_distribution<int>(0, 64)(random), 0);
      for (char& c : bytes) c = byte();
      if (i % 2 == 0 && bytes.size() >= 3) {
        bytes[0] = static_cast<char>(internal::kMetadataFormatVersion);
        bytes[1] = 0;  // version 0
        bytes[2] = 1;  // one record
        if (bytes.size() > 3) bytes[3] = static_cast<char>(1 + i % 9);
      }
      DecodeAnything(bytes);
    }
  }
  SECTION("a valid batch with bytes flipped, cut or inserted") {
    for (int i = 0; i < 5000; ++i) {
      std::string bytes = valid;
      const int edits = std::uniform_int_distribution<int>(1, 4)(random);
      for (int e = 0; e < edits && !bytes.empty(); ++e) {
        const size_t at =
            std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(random);
        switch (std::uniform_int_distribution<int>(0, 2)(random)) {
          case 0:
            bytes[at] = byte();
            break;
          case 1:
            bytes.erase(at, 1);
            break;
          default:
            bytes.insert(bytes.begin() + at, byte());
        }
      }
      DecodeAnything(bytes);
    }
  }
}

}  // namespace
}  // namespace rill::replication
