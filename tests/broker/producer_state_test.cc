// ProducerStateTable's rules, and the snapshot encoding and files.
#include "broker/producer_state.h"

#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "broker/format.h"
#include "broker/producer_state_snapshot.h"
#include "rill/error.h"
#include "rill/io/file_system.h"
#include "status_test_util.h"

namespace rill::broker {
namespace {

ProducerBatch Batch(int64_t pid, int16_t epoch, int32_t seq, int32_t count) {
  return {.producer_id = ProducerId(pid),
          .epoch = ProducerEpoch(epoch),
          .first_seq = seq,
          .last_offset_delta = count - 1};
}

ErrorReason CheckReason(const ProducerStateTable& table,
                        const ProducerBatch& b) {
  return GetErrorReason(table.Check(b).status());
}

bool Accepted(const ProducerStateTable& table, const ProducerBatch& b) {
  absl::StatusOr<std::optional<BatchMetadata>> r = table.Check(b);
  return r.ok() && !r->has_value();
}

TEST_CASE("sequences wrap from INT32_MAX to 0", "[producer_state]") {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  CHECK(IncrementSequence(5, 3) == 8);
  CHECK(IncrementSequence(kMax, 1) == 0);
  CHECK(IncrementSequence(kMax - 1, 3) == 1);

  ProducerStateTable table;
  table.Update(Batch(1, 0, kMax - 1, 2), Offset(0), 10);  // kMax-1, kMax
  CHECK(table.Find(ProducerId(1))->last_seq() == kMax);
  CHECK(Accepted(table, Batch(1, 0, 0, 1)));
  CHECK(CheckReason(table, Batch(1, 0, kMax, 1)) ==
        ErrorReason::kOutOfOrderSequenceNumber);
  // A batch spanning the wrap has last sequence 1.
  table.Update(Batch(2, 0, kMax, 3), Offset(2), 10);
  CHECK(table.Find(ProducerId(2))->last_seq() == 1);
  CHECK(Accepted(table, Batch(2, 0, 2, 1)));
}

TEST_CASE("the rules for epochs and sequences", "[producer_state]") {
  ProducerStateTable table;
  SECTION("batches without a producer id are not checked") {
    CHECK(Accepted(table, Batch(-1, -1, -1, 3)));
    table.Update(Batch(-1, -1, -1, 3), Offset(0), 10);
    CHECK(table.size() == 0);
  }
  SECTION("an unknown producer may start at any sequence (KIP-360)") {
    CHECK(Accepted(table, Batch(4, 2, 1000, 1)));
  }
  table.Update(Batch(4, 2, 0, 3), Offset(0), 10);  // seq 0..2
  SECTION("the next sequence is accepted, a gap or a repeat is not") {
    CHECK(Accepted(table, Batch(4, 2, 3, 1)));
    CHECK(CheckReason(table, Batch(4, 2, 4, 1)) ==
          ErrorReason::kOutOfOrderSequenceNumber);
    CHECK(CheckReason(table, Batch(4, 2, 2, 1)) ==
          ErrorReason::kOutOfOrderSequenceNumber);
  }
  SECTION("an identical batch is a duplicate; an overlapping one is not") {
    absl::StatusOr<std::optional<BatchMetadata>> dup =
        table.Check(Batch(4, 2, 0, 3));
    REQUIRE_OK(dup);
    REQUIRE(dup->has_value());
    CHECK((*dup)->first_offset == Offset(0));
    CHECK((*dup)->last_offset == Offset(2));
    CHECK(CheckReason(table, Batch(4, 2, 0, 2)) ==
          ErrorReason::kOutOfOrderSequenceNumber);
  }
  SECTION("a lower epoch is fenced") {
    CHECK(CheckReason(table, Batch(4, 1, 3, 1)) ==
          ErrorReason::kInvalidProducerEpoch);
  }
  SECTION("a higher epoch must start at 0 and then resets the state") {
    CHECK(CheckReason(table, Batch(4, 3, 3, 1)) ==
          ErrorReason::kOutOfOrderSequenceNumber);
    CHECK(Accepted(table, Batch(4, 3, 0, 1)));
    table.Update(Batch(4, 3, 0, 1), Offset(3), 20);
    const ProducerEntry* entry = table.Find(ProducerId(4));
    CHECK(entry->epoch == ProducerEpoch(3));
    CHECK(entry->batches.size() == 1);
    CHECK(entry->last_timestamp_ms == 20);
    // The old epoch's batch is no longer a duplicate: it is fenced.
    CHECK(CheckReason(table, Batch(4, 2, 0, 3)) ==
          ErrorReason::kInvalidProducerEpoch);
  }
}

TEST_CASE("only the last 5 batches are kept", "[producer_state]") {
  ProducerStateTable table;
  for (int i = 0; i < 7; ++i) {
    table.Update(Batch(8, 0, i, 1), Offset(i), 100 + i);
  }
  const ProducerEntry* entry = table.Find(ProducerId(8));
  REQUIRE(entry->batches.size() == format::kMaxCachedBatches);
  CHECK(entry->batches.front().first_seq == 2);
  CHECK(entry->last_timestamp_ms == 106);
}

TEST_CASE("producers idle for producer.id.expiration.ms expire",
          "[producer_state]") {
  ProducerStateTable table;
  table.Update(Batch(1, 0, 0, 1), Offset(0), 1'000);
  table.Update(Batch(2, 0, 0, 1), Offset(1), 5'000);
  CHECK(table.ExpireProducers(/*now_ms=*/10'999, /*expiration_ms=*/10'000) ==
        0);
  CHECK(table.ExpireProducers(11'000, 10'000) == 1);
  CHECK(table.Find(ProducerId(1)) == nullptr);
  CHECK(table.Find(ProducerId(2)) != nullptr);
}

ProducerStateTable SampleTable() {
  ProducerStateTable table;
  for (int i = 0; i < 6; ++i) {
    table.Update(Batch(11, 1, 3 * i, 3), Offset(10 * i), 1000 + i);
  }
  table.Update(Batch(12, 0, 7, 1), Offset(99), 2000);
  return table;
}

TEST_CASE("a snapshot round-trips the producer state", "[producer_state]") {
  const ProducerStateTable table = SampleTable();
  const std::string bytes = EncodeProducerSnapshot(Offset(100), table);
  ASSIGN_OR_REQUIRE(LoadedSnapshot loaded, DecodeProducerSnapshot(bytes));
  CHECK(loaded.offset == Offset(100));
  CHECK(loaded.table.producers() == table.producers());
  CHECK(EncodeProducerSnapshot(Offset(100), loaded.table) == bytes);
}

TEST_CASE("a damaged snapshot is reported as corrupt", "[producer_state]") {
  const std::string good = EncodeProducerSnapshot(Offset(100), SampleTable());
  SECTION("every single flipped byte") {
    for (size_t i = 0; i < good.size(); ++i) {
      std::string bad = good;
      bad[i] ^= 0x01;
      INFO("byte " << i);
      CHECK(absl::IsDataLoss(DecodeProducerSnapshot(bad).status()));
    }
  }
  SECTION("every truncation and an extra byte") {
    for (size_t n = 0; n < good.size(); ++n) {
      INFO("length " << n);
      CHECK(
          absl::IsDataLoss(DecodeProducerSnapshot(good.substr(0, n)).status()));
    }
    CHECK(absl::IsDataLoss(DecodeProducerSnapshot(good + "x").status()));
  }
}

TEST_CASE("snapshot file names are Kafka's 20-digit offsets",
          "[producer_state]") {
  CHECK(ProducerSnapshotFileName(Offset(1234)) ==
        "00000000000000001234.snapshot");
  CHECK(ParseProducerSnapshotFileName("00000000000000001234.snapshot") ==
        Offset(1234));
  CHECK_FALSE(ParseProducerSnapshotFileName("00000000000000001234.log"));
  CHECK_FALSE(ParseProducerSnapshotFileName("0000000000000001234.snapshot"));
  CHECK_FALSE(
      ParseProducerSnapshotFileName("00000000000000001234.snapshot.tmp"));
  CHECK_FALSE(ParseProducerSnapshotFileName("0000000000000000123x.snapshot"));
  CHECK_FALSE(ParseProducerSnapshotFileName("99999999999999999999.snapshot"));
}

TEST_CASE("writing a snapshot keeps the newest two", "[producer_state]") {
  auto fs = io::NewMemFileSystem();
  const std::string dir = "/p";
  REQUIRE_OK(fs->CreateDirs(dir));
  const ProducerStateTable table = SampleTable();
  for (int64_t offset : {10, 20, 30}) {
    REQUIRE_OK(
        WriteProducerSnapshot(*fs, dir, Offset(offset),
                              EncodeProducerSnapshot(Offset(offset), table)));
  }
  ASSIGN_OR_REQUIRE(std::vector<Offset> offsets,
                    ListProducerSnapshots(*fs, dir));
  CHECK(offsets == std::vector<Offset>{Offset(20), Offset(30)});
  SECTION("and drops any newer than the one written") {
    REQUIRE_OK(WriteProducerSnapshot(
        *fs, dir, Offset(25), EncodeProducerSnapshot(Offset(25), table)));
    ASSIGN_OR_REQUIRE(offsets, ListProducerSnapshots(*fs, dir));
    CHECK(offsets == std::vector<Offset>{Offset(20), Offset(25)});
  }
}

TEST_CASE("loading picks the newest intact snapshot at or below the log end",
          "[producer_state]") {
  auto fs = io::NewMemFileSystem();
  const std::string dir = "/p";
  REQUIRE_OK(fs->CreateDirs(dir));
  ProducerStateTable older;
  older.Update(Batch(1, 0, 0, 1), Offset(0), 5);
  const ProducerStateTable newer = SampleTable();
  REQUIRE_OK(WriteProducerSnapshot(*fs, dir, Offset(10),
                                   EncodeProducerSnapshot(Offset(10), older)));
  REQUIRE_OK(WriteProducerSnapshot(*fs, dir, Offset(20),
                                   EncodeProducerSnapshot(Offset(20), newer)));
  REQUIRE_OK(WriteProducerSnapshot(*fs, dir, Offset(20),
                                   EncodeProducerSnapshot(Offset(20), newer)));
  auto names = [&] {
    absl::StatusOr<std::vector<std::string>> n = fs->ListDir(dir);
    REQUIRE_OK(n);
    return *n;
  };

  SECTION("the newest when it is intact") {
    ASSIGN_OR_REQUIRE(std::optional<LoadedSnapshot> s,
                      LoadNewestProducerSnapshot(*fs, dir, Offset(20)));
    REQUIRE(s.has_value());
    CHECK(s->offset == Offset(20));
    CHECK(s->table.producers() == newer.producers());
  }
  SECTION("one past the log end is deleted") {
    ASSIGN_OR_REQUIRE(std::optional<LoadedSnapshot> s,
                      LoadNewestProducerSnapshot(*fs, dir, Offset(19)));
    REQUIRE(s.has_value());
    CHECK(s->offset == Offset(10));
    CHECK(names() == std::vector<std::string>{"00000000000000000010.snapshot"});
  }
  SECTION("a corrupt one is deleted and the older one used") {
    const std::string path = dir + "/00000000000000000020.snapshot";
    REQUIRE_OK(io::WriteFileAtomically(*fs, path, "garbage"));
    ASSIGN_OR_REQUIRE(std::optional<LoadedSnapshot> s,
                      LoadNewestProducerSnapshot(*fs, dir, Offset(100)));
    REQUIRE(s.has_value());
    CHECK(s->offset == Offset(10));
    CHECK(s->table.producers() == older.producers());
    CHECK(names() == std::vector<std::string>{"00000000000000000010.snapshot"});
  }
  SECTION("a snapshot whose contents name another offset is not trusted") {
    REQUIRE_OK(
        io::WriteFileAtomically(*fs, dir + "/00000000000000000030.snapshot",
                                EncodeProducerSnapshot(Offset(31), newer)));
    ASSIGN_OR_REQUIRE(std::optional<LoadedSnapshot> s,
                      LoadNewestProducerSnapshot(*fs, dir, Offset(100)));
    REQUIRE(s.has_value());
    CHECK(s->offset == Offset(20));
  }
  SECTION("leftover temporary files are removed; none left is nullopt") {
    REQUIRE_OK(io::WriteFileAtomically(
        *fs, dir + "/00000000000000000040.snapshot.tmp", "partial"));
    ASSIGN_OR_REQUIRE(std::optional<LoadedSnapshot> s,
                      LoadNewestProducerSnapshot(*fs, dir, Offset(5)));
    CHECK_FALSE(s.has_value());
    CHECK(names().empty());
  }
}

}  // namespace
}  // namespace rill::broker
