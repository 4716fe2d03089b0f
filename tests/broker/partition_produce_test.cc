// Partition::Produce: Kafka's produce checks, offsets, acks and the high
// watermark hook.
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "partition_test_util.h"
#include "record/format.h"
#include "util/crc32c.h"
#include "util/endian.h"

namespace rill::broker_test {
namespace {

// RefreshCrc recomputes a batch's CRC after a test edited its header.
void RefreshCrc(std::string& batch) {
  namespace rf = record::format;
  util::StoreBigEndian<uint32_t>(
      batch.data() + rf::kCrcOffset,
      util::crc32c::Value(batch.data() + rf::kCrcStart,
                          batch.size() - rf::kCrcStart));
}

TEST_CASE(
    "valid produces get increasing offsets and advance the high "
    "watermark",
    "[partition]") {
  PartitionFixture f;
  ASSIGN_OR_REQUIRE(ProduceResult a, f.Produce(MakeBatch({.records = 3})));
  ASSIGN_OR_REQUIRE(ProduceResult b, f.Produce(MakeBatch({.records = 2})));
  CHECK(a.base_offset == Offset(0));
  CHECK(b.base_offset == Offset(3));
  CHECK(a.log_append_time_ms == -1);
  CHECK(b.log_start_offset == Offset(0));
  CHECK(f.partition->high_watermark() == Offset(5));
  CHECK(f.log->log_end_offset() == Offset(5));
  CHECK(f.hw_advances.size() == 2);
}

TEST_CASE(
    "the producer's baseOffset is ignored and the leader epoch is "
    "written",
    "[partition]") {
  PartitionFixture f;
  REQUIRE_OK(f.Produce(MakeBatch({.records = 2})));
  std::string batch = MakeBatch({.records = 1});
  util::StoreBigEndian<int64_t>(batch.data(), 12345);  // outside the CRC
  ASSIGN_OR_REQUIRE(ProduceResult r, f.Produce(batch));
  CHECK(r.base_offset == Offset(2));
  const std::string stored = f.LogBytes();
  record::BatchIterator it(stored);
  int batches = 0;
  while (it.Next()) {
    ++batches;
    CHECK(it.batch().header().partition_leader_epoch == 3);
  }
  CHECK(batches == 2);
}

TEST_CASE(
    "every acks value is answered inline, after the high watermark "
    "hook",
    "[partition]") {
  for (Acks acks : {Acks::kNone, Acks::kLeader, Acks::kAll}) {
    PartitionFixture f;
    std::vector<std::string> events;
    f.on_hw = [&](const TopicPartition&) { events.push_back("hw"); };
    const std::thread::id caller = std::this_thread::get_id();
    std::string batch = MakeBatch({.records = 1});
    f.partition->Produce(std::span<char>(batch.data(), batch.size()),
                         {.acks = acks}, [&](absl::StatusOr<ProduceResult> r) {
                           CHECK(std::this_thread::get_id() == caller);
                           CHECK(r.ok());
                           // The answer sees the high watermark past it.
                           CHECK(f.partition->high_watermark() == Offset(1));
                           events.push_back("done");
                         });
    CHECK(events == std::vector<std::string>{"hw", "done"});
  }
}

TEST_CASE("LogAppendTime topics answer with the broker's append time",
          "[partition]") {
  PartitionFixture f(
      {.message_timestamp_type = record::TimestampType::kLogAppendTime});
  ASSIGN_OR_REQUIRE(ProduceResult r, f.Produce(MakeBatch({.records = 2})));
  CHECK(r.log_append_time_ms == f.clock->NowMs());
}

// ExpectRejected produces `batch` and checks the reason and that neither the
// log nor the high watermark changed (nor the hook ran).
void ExpectRejected(PartitionFixture& f, std::string batch, ErrorReason reason,
                    ProduceOptions options = {}) {
  const std::string before = f.LogBytes();
  const Offset hw = f.partition->high_watermark();
  const size_t advances = f.hw_advances.size();
  absl::StatusOr<ProduceResult> r = f.Produce(std::move(batch), options);
  INFO(r.status().ToString());
  CHECK(ReasonOf(r) == reason);
  CHECK(f.LogBytes() == before);
  CHECK(f.partition->high_watermark() == hw);
  CHECK(f.log->log_end_offset() == hw);
  CHECK(f.hw_advances.size() == advances);
}

TEST_CASE(
    "each invalid batch gets Kafka's error and leaves the log "
    "unchanged",
    "[partition]") {
  PartitionFixture f;
  REQUIRE_OK(f.Produce(MakeBatch({.records = 2})));

  SECTION("a flipped byte fails the CRC: CORRUPT_MESSAGE") {
    std::string batch = MakeBatch({.records = 3});
    batch[batch.size() - 5] ^= 0x40;
    ExpectRejected(f, batch, ErrorReason::kCorruptMessage);
  }
  SECTION("two batches in one produce: INVALID_RECORD") {
    ExpectRejected(f, MakeBatch({}) + MakeBatch({}),
                   ErrorReason::kInvalidRecord);
  }
  SECTION("a truncated batch or no batch: INVALID_RECORD") {
    std::string batch = MakeBatch({.records = 2});
    ExpectRejected(f, batch.substr(0, batch.size() - 1),
                   ErrorReason::kInvalidRecord);
    ExpectRejected(f, "", ErrorReason::kInvalidRecord);
  }
  SECTION("a batchLength below the header: CORRUPT_MESSAGE") {
    std::string batch = MakeBatch({});
    util::StoreBigEndian<int32_t>(batch.data() + 8, 20);
    ExpectRejected(f, batch, ErrorReason::kCorruptMessage);
  }
  SECTION("magic 1 on a v3+ produce: INVALID_RECORD") {
    std::string batch = MakeBatch({});
    batch[record::format::kMagicOffset] = 1;
    ExpectRejected(f, batch, ErrorReason::kInvalidRecord);
  }
  SECTION("record count != lastOffsetDelta + 1: INVALID_RECORD") {
    std::string batch = MakeBatch({.records = 3});
    util::StoreBigEndian<int32_t>(
        batch.data() + record::format::kLastOffsetDeltaOffset, 5);
    RefreshCrc(batch);
    ExpectRejected(f, batch, ErrorReason::kInvalidRecord);
  }
  SECTION("larger than max.message.bytes: MESSAGE_TOO_LARGE") {
    REQUIRE_OK(f.partition->UpdateConfig({.max_message_bytes = 200}));
    ExpectRejected(f, MakeBatch({.records = 4, .value_size = 100}),
                   ErrorReason::kMessageTooLarge);
  }
  SECTION("a control batch from a client: INVALID_RECORD") {
    ExpectRejected(f,
                   MakeBatch({.producer_id = 7,
                              .producer_epoch = 0,
                              .base_sequence = 0,
                              .transactional = true,
                              .control = true}),
                   ErrorReason::kInvalidRecord);
  }
  SECTION("a transactional batch (not supported yet): INVALID_RECORD") {
    absl::StatusOr<ProduceResult> r =
        f.Produce(MakeBatch({.producer_id = 7,
                             .producer_epoch = 0,
                             .base_sequence = 0,
                             .transactional = true}));
    CHECK(ReasonOf(r) == ErrorReason::kInvalidRecord);
    CHECK_THAT(std::string(r.status().message()),
               Catch::Contains("transactional"));
    CHECK(f.log->log_end_offset() == Offset(2));
  }
  SECTION(
      "zstd when the request may not carry it: "
      "UNSUPPORTED_COMPRESSION_TYPE") {
    const std::string batch =
        MakeBatch({.records = 2, .compression = record::Compression::kZstd});
    ExpectRejected(f, batch, ErrorReason::kUnsupportedCompressionType,
                   {.allow_zstd = false});
    REQUIRE_OK(f.Produce(batch, {.allow_zstd = true}));
  }
  SECTION("an idempotent batch without a sequence: INVALID_RECORD") {
    ExpectRejected(f, IdempotentBatch(9, 0, -1), ErrorReason::kInvalidRecord);
  }
}

TEST_CASE("a compacted topic refuses a record without a key", "[partition]") {
  PartitionFixture f({.cleanup_delete = false, .cleanup_compact = true});
  REQUIRE_OK(f.Produce(MakeBatch({.records = 2})));
  SECTION("uncompressed") {
    ExpectRejected(f, MakeBatch({.records = 3, .null_key_at = 1}),
                   ErrorReason::kInvalidRecord);
  }
  SECTION("compressed") {
    ExpectRejected(f,
                   MakeBatch({.records = 3,
                              .compression = record::Compression::kLz4,
                              .null_key_at = 2}),
                   ErrorReason::kInvalidRecord);
  }
  SECTION("keyed records are accepted") {
    REQUIRE_OK(f.Produce(
        MakeBatch({.records = 3, .compression = record::Compression::kGzip})));
    CHECK(f.partition->high_watermark() == Offset(5));
  }
}

TEST_CASE("a delete-policy topic accepts null keys", "[partition]") {
  PartitionFixture f;
  REQUIRE_OK(f.Produce(MakeBatch({.records = 2, .null_key_at = 0})));
}

TEST_CASE("a closed partition refuses produces and reads", "[partition]") {
  PartitionFixture f;
  REQUIRE_OK(f.Produce(MakeBatch({})));
  REQUIRE_OK(f.partition->Close());
  CHECK(ReasonOf(f.Produce(MakeBatch({}))) ==
        ErrorReason::kNotLeaderOrFollower);
  FetchPartitionResult r =
      f.partition->Read({.fetch_offset = Offset(0)},
                        IsolationLevel::kReadUncommitted, 1000, true);
  CHECK(GetErrorReason(r.status) == ErrorReason::kNotLeaderOrFollower);
  CHECK(f.log->log_end_offset() == Offset(1));
}

TEST_CASE("Partition::Open requires a log and a file system", "[partition]") {
  PartitionFixture f;
  CHECK(absl::IsInvalidArgument(
      Partition::Open({.log = nullptr, .fs = f.fs}).status()));
  CHECK(absl::IsInvalidArgument(
      Partition::Open({.log = f.log.get(), .fs = nullptr}).status()));
}

}  // namespace
}  // namespace rill::broker_test
