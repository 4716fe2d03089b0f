// Idempotent producers through Partition::Produce: sequence and epoch
// checks, duplicates, and producer state across reopen (snapshot or replay)
// and expiry.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "broker/producer_state_snapshot.h"
#include "partition_test_util.h"

namespace rill::broker_test {
namespace {

constexpr int64_t kPid = 42;

// ProduceSequence appends `n` batches of `records` records each from
// producer kPid, epoch 0, sequences in order; returns their base offsets.
std::vector<Offset> ProduceSequence(PartitionFixture& f, int n, int records,
                                    int32_t first_seq = 0) {
  std::vector<Offset> offsets;
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<ProduceResult> r =
        f.Produce(IdempotentBatch(kPid, 0, first_seq + i * records, records));
    REQUIRE_OK(r);
    offsets.push_back(r->base_offset);
  }
  return offsets;
}

bool HasFile(PartitionFixture& f, const std::string& name) {
  const std::vector<std::string> names = f.DirNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

// ExpectDuplicate retries batch i (of `records` records from sequence 0)
// and checks it answers with `offset` and appends nothing.
void ExpectDuplicate(PartitionFixture& f, int i, int records, Offset offset) {
  const Offset end = f.log->log_end_offset();
  absl::StatusOr<ProduceResult> r =
      f.Produce(IdempotentBatch(kPid, 0, i * records, records));
  INFO("retry of batch " << i);
  REQUIRE_OK(r);
  CHECK(r->base_offset == offset);
  CHECK(f.log->log_end_offset() == end);
}

TEST_CASE("in-order sequences are appended", "[partition][idempotence]") {
  PartitionFixture f;
  const std::vector<Offset> offsets = ProduceSequence(f, 4, 3);
  CHECK(offsets ==
        std::vector<Offset>{Offset(0), Offset(3), Offset(6), Offset(9)});
  CHECK(f.partition->high_watermark() == Offset(12));
}

TEST_CASE(
    "a retry of any of the last 5 batches answers with its original "
    "offset",
    "[partition][idempotence]") {
  PartitionFixture f;
  REQUIRE_OK(f.Produce(MakeBatch({.records = 2})));  // offsets 0-1
  const std::vector<Offset> offsets = ProduceSequence(f, 7, 2);
  for (int i = 2; i < 7; ++i) ExpectDuplicate(f, i, 2, offsets[i]);
  SECTION("the sixth-oldest retry is out of order") {
    const Offset end = f.log->log_end_offset();
    CHECK(ReasonOf(f.Produce(IdempotentBatch(kPid, 0, 2, 2))) ==
          ErrorReason::kOutOfOrderSequenceNumber);
    CHECK(f.log->log_end_offset() == end);
  }
  SECTION("the next batch still follows the last one") {
    ASSIGN_OR_REQUIRE(ProduceResult r,
                      f.Produce(IdempotentBatch(kPid, 0, 14, 1)));
    CHECK(r.base_offset == Offset(16));
  }
  SECTION("a duplicate with acks=all is answered at once too") {
    ASSIGN_OR_REQUIRE(
        ProduceResult r,
        f.Produce(IdempotentBatch(kPid, 0, 12, 2), {.acks = Acks::kAll}));
    CHECK(r.base_offset == offsets[6]);
  }
}

TEST_CASE(
    "out-of-order sequences and stale epochs are refused and change "
    "nothing",
    "[partition][idempotence]") {
  PartitionFixture f;
  ProduceSequence(f, 2, 1);  // sequences 0, 1
  const std::string before = f.LogBytes();
  SECTION("a gap") {
    CHECK(ReasonOf(f.Produce(IdempotentBatch(kPid, 0, 3))) ==
          ErrorReason::kOutOfOrderSequenceNumber);
  }
  SECTION("a lower epoch") {
    ASSIGN_OR_REQUIRE(ProduceResult r, f.Produce(IdempotentBatch(kPid, 1, 0)));
    CHECK(r.base_offset == Offset(2));
    CHECK(ReasonOf(f.Produce(IdempotentBatch(kPid, 0, 2))) ==
          ErrorReason::kInvalidProducerEpoch);
    CHECK(f.log->log_end_offset() == Offset(3));
    return;
  }
  SECTION("a new epoch that does not start at 0") {
    CHECK(ReasonOf(f.Produce(IdempotentBatch(kPid, 1, 2))) ==
          ErrorReason::kOutOfOrderSequenceNumber);
  }
  CHECK(f.LogBytes() == before);
  // The state is unchanged: the next sequence of epoch 0 still fits.
  ASSIGN_OR_REQUIRE(ProduceResult r, f.Produce(IdempotentBatch(kPid, 0, 2)));
  CHECK(r.base_offset == Offset(2));
}

TEST_CASE("an unknown producer may start at any sequence",
          "[partition][idempotence]") {
  PartitionFixture f;
  ASSIGN_OR_REQUIRE(ProduceResult r, f.Produce(IdempotentBatch(kPid, 5, 77)));
  CHECK(r.base_offset == Offset(0));
  CHECK(ReasonOf(f.Produce(IdempotentBatch(kPid, 5, 79))) ==
        ErrorReason::kOutOfOrderSequenceNumber);
}

TEST_CASE("concurrent retries of one batch append it once",
          "[partition][idempotence]") {
  PartitionFixture f;
  ProduceSequence(f, 1, 1);
  const std::string batch = IdempotentBatch(kPid, 0, 1, 3);
  constexpr int kThreads = 8;
  std::vector<Offset> got(kThreads, Offset(-1));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string copy = batch;
      f.partition->Produce(std::span<char>(copy.data(), copy.size()), {},
                           [&, t](absl::StatusOr<ProduceResult> r) {
                             if (r.ok()) got[t] = r->base_offset;
                           });
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(f.log->log_end_offset() == Offset(4));
  for (Offset o : got) CHECK(o == Offset(1));
}

TEST_CASE("producer state survives a clean reopen through its snapshot",
          "[partition][idempotence]") {
  PartitionFixture f;
  const std::vector<Offset> offsets = ProduceSequence(f, 6, 2);
  f.Reopen();
  CHECK(HasFile(f, "00000000000000000012.snapshot"));
  for (int i = 1; i < 6; ++i) ExpectDuplicate(f, i, 2, offsets[i]);
  CHECK(ReasonOf(f.Produce(IdempotentBatch(kPid, 0, 0, 2))) ==
        ErrorReason::kOutOfOrderSequenceNumber);
  CHECK(ReasonOf(f.Produce(IdempotentBatch(kPid, 0, 13, 1))) ==
        ErrorReason::kOutOfOrderSequenceNumber);
  CHECK(f.Produce(IdempotentBatch(kPid, 0, 12, 1)).ok());
}

TEST_CASE(
    "producer state is rebuilt from the log without a usable "
    "snapshot",
    "[partition][idempotence]") {
  PartitionFixture f;
  const std::vector<Offset> offsets = ProduceSequence(f, 3, 2);
  REQUIRE_OK(f.partition->SnapshotProducerState());  // at offset 6
  REQUIRE_OK(f.Produce(MakeBatch({.records = 1})));  // a plain batch
  const std::vector<Offset> later = ProduceSequence(f, 2, 2, 6);
  const std::string snapshot = f.dir + "/00000000000000000006.snapshot";

  SECTION("a crash after the snapshot: the rest is replayed") {
    f.partition.reset();  // no Close: no snapshot at the log end
    REQUIRE_OK(f.log->Close());
    f.log.reset();
    f.Open();
  }
  SECTION("every snapshot deleted") {
    f.Close();
    for (const std::string& name : f.DirNames()) {
      if (absl::EndsWith(name, ".snapshot")) {
        REQUIRE_OK(f.fs->RemoveFile(f.dir + "/" + name));
      }
    }
    f.Open();
  }
  SECTION("the newest snapshot corrupt") {
    f.Close();
    const std::string newest = f.dir + "/00000000000000000011.snapshot";
    ASSIGN_OR_REQUIRE(std::string bytes, io::ReadFileToString(*f.fs, newest));
    bytes[bytes.size() / 2] ^= 0x10;
    REQUIRE_OK(io::WriteFileAtomically(*f.fs, newest, bytes));
    f.Open();
    CHECK_FALSE(HasFile(f, "00000000000000000011.snapshot"));
  }
  ExpectDuplicate(f, 0, 2, offsets[0]);
  ExpectDuplicate(f, 2, 2, offsets[2]);
  ExpectDuplicate(f, 3, 2, later[0]);
  ExpectDuplicate(f, 4, 2, later[1]);
  CHECK(ReasonOf(f.Produce(IdempotentBatch(kPid, 0, 11, 1))) ==
        ErrorReason::kOutOfOrderSequenceNumber);
  CHECK(f.Produce(IdempotentBatch(kPid, 0, 10, 1)).ok());
}

TEST_CASE("snapshots are named by the log end and at most two are kept",
          "[partition][idempotence]") {
  PartitionFixture f;
  for (int i = 0; i < 4; ++i) {
    ProduceSequence(f, 1, 1, i);
    REQUIRE_OK(f.partition->SnapshotProducerState());
  }
  ASSIGN_OR_REQUIRE(std::vector<Offset> offsets,
                    broker::ListProducerSnapshots(*f.fs, f.dir));
  CHECK(offsets == std::vector<Offset>{Offset(3), Offset(4)});
}

TEST_CASE(
    "producers idle past producer.id.expiration.ms are dropped at "
    "snapshot time",
    "[partition][idempotence]") {
  PartitionFixture f;
  f.producer_id_expiration_ms = 60'000;
  f.Reopen();
  const int64_t t0 = f.clock->NowMs();
  REQUIRE_OK(f.Produce(IdempotentBatch(kPid, 0, 0, 1, t0)));
  f.clock->AdvanceMs(50'000);
  REQUIRE_OK(f.Produce(IdempotentBatch(7, 0, 0, 1, f.clock->NowMs())));
  f.clock->AdvanceMs(10'000);  // kPid idle 60 s, producer 7 only 10 s
  REQUIRE_OK(f.partition->SnapshotProducerState());

  ASSIGN_OR_REQUIRE(
      std::string bytes,
      io::ReadFileToString(*f.fs, f.dir + "/00000000000000000002.snapshot"));
  ASSIGN_OR_REQUIRE(broker::LoadedSnapshot snapshot,
                    broker::DecodeProducerSnapshot(bytes));
  CHECK(snapshot.table.size() == 1);
  CHECK(snapshot.table.Find(ProducerId(7)) != nullptr);
  // kPid is unknown again: its retry is appended anew, and any sequence is
  // accepted, while producer 7's retry is still recognised.
  ASSIGN_OR_REQUIRE(ProduceResult retry,
                    f.Produce(IdempotentBatch(kPid, 0, 0, 1, t0)));
  CHECK(retry.base_offset == Offset(2));
  ASSIGN_OR_REQUIRE(ProduceResult dup, f.Produce(IdempotentBatch(7, 0, 0, 1)));
  CHECK(dup.base_offset == Offset(1));
}

TEST_CASE("producers already expired are not loaded on open",
          "[partition][idempotence]") {
  PartitionFixture f;
  f.producer_id_expiration_ms = 60'000;
  f.Reopen();
  REQUIRE_OK(f.Produce(IdempotentBatch(kPid, 0, 0, 1, f.clock->NowMs())));
  f.Close();
  f.clock->AdvanceMs(60'000);
  f.Open();
  ASSIGN_OR_REQUIRE(ProduceResult r, f.Produce(IdempotentBatch(kPid, 0, 0, 1)));
  CHECK(r.base_offset == Offset(1));  // not recognised as a duplicate
}

}  // namespace
}  // namespace rill::broker_test
