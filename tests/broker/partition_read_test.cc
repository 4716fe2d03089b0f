// Partition reads: offsets (HW, LSO, log start), Read, ListOffsets and
// DeleteRecords.
#include <catch2/catch.hpp>
#include <string>

#include "partition_test_util.h"

namespace rill::broker_test {
namespace {

// Batches reads back the base offsets of the batches in a read.
std::vector<int64_t> BaseOffsets(const FetchPartitionResult& r) {
  absl::StatusOr<std::string> bytes = r.records.ReadAll();
  REQUIRE_OK(bytes);
  std::vector<int64_t> offsets;
  record::BatchIterator it(*bytes);
  while (it.Next()) offsets.push_back(it.batch().header().base_offset);
  REQUIRE_OK(it.status());
  return offsets;
}

// ThreeBatches fills offsets 0-2, 3-4, 5 with timestamps 100.., 500.., 300.
void ThreeBatches(PartitionFixture& f) {
  REQUIRE_OK(f.Produce(
      MakeBatch({.records = 3, .timestamp_ms = 100, .timestamp_step_ms = 10})));
  REQUIRE_OK(f.Produce(
      MakeBatch({.records = 2, .timestamp_ms = 500, .timestamp_step_ms = 50})));
  REQUIRE_OK(f.Produce(MakeBatch({.records = 1, .timestamp_ms = 300})));
}

TEST_CASE(
    "offsets report log start, high watermark = last stable offset = "
    "log end",
    "[partition][read]") {
  PartitionFixture f;
  PartitionOffsets o = f.partition->offsets();
  CHECK(o.log_start_offset == Offset(0));
  CHECK(o.high_watermark == Offset(0));
  CHECK(o.last_stable_offset == Offset(0));
  ThreeBatches(f);
  o = f.partition->offsets();
  CHECK(o.high_watermark == Offset(6));
  CHECK(o.last_stable_offset == Offset(6));
  CHECK(o.log_end_offset == Offset(6));
  SECTION("and the high watermark comes back at the log end on reopen") {
    f.Reopen();
    CHECK(f.partition->high_watermark() == Offset(6));
  }
}

TEST_CASE(
    "Read returns whole batches from the fetch offset with the "
    "partition's offsets",
    "[partition][read]") {
  PartitionFixture f;
  ThreeBatches(f);
  for (IsolationLevel isolation :
       {IsolationLevel::kReadUncommitted, IsolationLevel::kReadCommitted}) {
    FetchPartitionResult r = f.partition->Read({.fetch_offset = Offset(4)},
                                               isolation, 1 << 20, true);
    REQUIRE_OK(r.status);
    CHECK(r.tp == f.tp);
    CHECK(r.high_watermark == Offset(6));
    CHECK(r.last_stable_offset == Offset(6));
    CHECK(r.log_start_offset == Offset(0));
    CHECK(r.aborted_transactions.empty());
    // The batch holding offset 4 starts at 3.
    CHECK(BaseOffsets(r) == std::vector<int64_t>{3, 5});
  }
}

TEST_CASE("Read honours max_bytes, except for one whole first batch",
          "[partition][read]") {
  PartitionFixture f;
  ThreeBatches(f);
  FetchPartitionResult r = f.partition->Read(
      {.fetch_offset = Offset(0)}, IsolationLevel::kReadUncommitted, 10, true);
  CHECK(BaseOffsets(r) == std::vector<int64_t>{0});
  r = f.partition->Read({.fetch_offset = Offset(0)},
                        IsolationLevel::kReadUncommitted, 10, false);
  REQUIRE_OK(r.status);
  CHECK(r.records.size_bytes == 0);
}

TEST_CASE(
    "Read outside [log start, log end] is OFFSET_OUT_OF_RANGE; at the "
    "end it is empty",
    "[partition][read]") {
  PartitionFixture f;
  ThreeBatches(f);
  FetchPartitionResult r =
      f.partition->Read({.fetch_offset = Offset(7)},
                        IsolationLevel::kReadUncommitted, 1000, true);
  CHECK(GetErrorReason(r.status) == ErrorReason::kOffsetOutOfRange);
  CHECK(r.high_watermark == Offset(6));

  r = f.partition->Read({.fetch_offset = Offset(6)},
                        IsolationLevel::kReadUncommitted, 1000, true);
  REQUIRE_OK(r.status);
  CHECK(r.records.size_bytes == 0);
  CHECK(r.high_watermark == Offset(6));

  ASSIGN_OR_REQUIRE(Offset low, f.partition->DeleteRecords(Offset(3)));
  CHECK(low == Offset(3));
  r = f.partition->Read({.fetch_offset = Offset(2)},
                        IsolationLevel::kReadUncommitted, 1000, true);
  CHECK(GetErrorReason(r.status) == ErrorReason::kOffsetOutOfRange);
  CHECK(r.log_start_offset == Offset(3));
  r = f.partition->Read({.fetch_offset = Offset(-1)},
                        IsolationLevel::kReadUncommitted, 1000, true);
  CHECK(GetErrorReason(r.status) == ErrorReason::kOffsetOutOfRange);
}

TEST_CASE("ListOffsets earliest, latest and by time", "[partition][read]") {
  PartitionFixture f;
  ThreeBatches(f);
  auto list = [&](int64_t ts,
                  IsolationLevel isolation = IsolationLevel::kReadUncommitted) {
    absl::StatusOr<ListOffsetsResult> r =
        f.partition->ListOffsets({.timestamp = ts, .isolation = isolation});
    REQUIRE_OK(r);
    CHECK(r->leader_epoch == LeaderEpoch(3));
    return *r;
  };
  CHECK(list(ListOffsetsSpec::kEarliest).offset == Offset(0));
  CHECK(list(ListOffsetsSpec::kLatest).offset == Offset(6));
  CHECK(list(ListOffsetsSpec::kLatest, IsolationLevel::kReadCommitted).offset ==
        Offset(6));
  ListOffsetsResult t = list(110);
  CHECK(t.offset == Offset(1));
  CHECK(t.timestamp_ms == 110);
  t = list(121);  // first record at or after 121: offset 3 (500)
  CHECK(t.offset == Offset(3));
  CHECK(t.timestamp_ms == 500);
  t = list(551);
  CHECK(t.offset == Offset(-1));
  CHECK(t.timestamp_ms == -1);

  ASSIGN_OR_REQUIRE(Offset low, f.partition->DeleteRecords(Offset(2)));
  CHECK(low == Offset(2));
  CHECK(list(ListOffsetsSpec::kEarliest).offset == Offset(2));
  CHECK(list(100).offset == Offset(2));

  CHECK(GetErrorReason(f.partition->ListOffsets({.timestamp = -4}).status()) ==
        ErrorReason::kInvalidRequest);
}

TEST_CASE(
    "ListOffsets max timestamp finds the record with the largest "
    "timestamp (KIP-734)",
    "[partition][read]") {
  PartitionFixture f;
  auto max_ts = [&] {
    absl::StatusOr<ListOffsetsResult> r =
        f.partition->ListOffsets({.timestamp = ListOffsetsSpec::kMaxTimestamp});
    REQUIRE_OK(r);
    return *r;
  };
  SECTION("an empty partition has none") {
    CHECK(max_ts().offset == Offset(-1));
    CHECK(max_ts().timestamp_ms == -1);
  }
  SECTION("the record inside its batch, not the batch's last offset") {
    ThreeBatches(f);
    // Batch 2 holds 500 at offset 3 and 550 at offset 4.
    REQUIRE_OK(
        f.Produce(MakeBatch({.records = 3,
                             .timestamp_ms = 900,
                             .timestamp_step_ms = -100,
                             .compression = record::Compression::kLz4})));
    // Offsets 6 (900), 7 (800), 8 (700): the max is the first record.
    CHECK(max_ts().offset == Offset(6));
    CHECK(max_ts().timestamp_ms == 900);
  }
  SECTION("ties go to the earliest record") {
    REQUIRE_OK(f.Produce(MakeBatch({.records = 2, .timestamp_ms = 40})));
    REQUIRE_OK(f.Produce(MakeBatch({.records = 2, .timestamp_ms = 40})));
    CHECK(max_ts().offset == Offset(0));
    CHECK(max_ts().timestamp_ms == 40);
  }
  SECTION("across several segments") {
    REQUIRE_OK(f.partition->UpdateConfig({.segment_bytes = 200}));
    for (int i = 0; i < 10; ++i) {
      const int64_t ts = i == 6 ? 5'000 : 1'000 + i;
      REQUIRE_OK(f.Produce(MakeBatch({.records = 2,
                                      .timestamp_ms = ts,
                                      .timestamp_step_ms = 1,
                                      .value_size = 40})));
    }
    REQUIRE(f.log->num_segments() > 3);
    CHECK(max_ts().offset == Offset(13));
    CHECK(max_ts().timestamp_ms == 5'001);
  }
}

TEST_CASE("DeleteRecords moves the log start up to the high watermark",
          "[partition][read]") {
  PartitionFixture f;
  ThreeBatches(f);
  CHECK(ReasonOf(f.partition->DeleteRecords(Offset(7))) ==
        ErrorReason::kOffsetOutOfRange);
  CHECK(ReasonOf(f.partition->DeleteRecords(Offset(-2))) ==
        ErrorReason::kOffsetOutOfRange);
  ASSIGN_OR_REQUIRE(Offset low, f.partition->DeleteRecords(Offset(4)));
  CHECK(low == Offset(4));
  CHECK(f.partition->offsets().log_start_offset == Offset(4));
  // Below the current start: nothing moves back.
  ASSIGN_OR_REQUIRE(low, f.partition->DeleteRecords(Offset(1)));
  CHECK(low == Offset(4));
  // -1: up to the high watermark.
  ASSIGN_OR_REQUIRE(low, f.partition->DeleteRecords(Offset(-1)));
  CHECK(low == Offset(6));
  FetchPartitionResult r =
      f.partition->Read({.fetch_offset = Offset(6)},
                        IsolationLevel::kReadUncommitted, 1000, true);
  REQUIRE_OK(r.status);
  CHECK(r.records.size_bytes == 0);
  // Produce answers report the new log start.
  ASSIGN_OR_REQUIRE(ProduceResult p, f.Produce(MakeBatch({})));
  CHECK(p.base_offset == Offset(6));
  CHECK(p.log_start_offset == Offset(6));
}

TEST_CASE(
    "Only a follower reads past the high watermark; another replica id "
    "reads as a consumer",
    "[partition][read]") {
  PartitionFixture f;
  f.partition->ApplyState({.replicas = {NodeId(0), NodeId(1)},
                           .isr = {NodeId(0), NodeId(1)},
                           .leader = NodeId(0),
                           .leader_epoch = LeaderEpoch(3),
                           .partition_epoch = 1});
  // Follower 1 has fetched nothing: the record is not committed.
  REQUIRE_OK(f.Produce(MakeBatch({.records = 1}), {.acks = Acks::kLeader}));
  REQUIRE(f.partition->high_watermark() == Offset(0));
  auto read_as = [&](int replica) {
    return f.partition
        ->Read({.tp = f.tp, .fetch_offset = Offset(0)},
               IsolationLevel::kReadUncommitted, 1 << 20, true, NodeId(replica))
        .records.size_bytes;
  };
  CHECK(read_as(1) > 0);
  CHECK(read_as(7) == 0);
  CHECK(read_as(-1) == 0);
}

}  // namespace
}  // namespace rill::broker_test
