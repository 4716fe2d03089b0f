// The Consumer outside a group: manually assigned partitions, what Poll
// returns, positions, resets, seeks, pause/resume, Wakeup and options.
#include "rill/client/consumer.h"

#include <catch2/catch.hpp>
#include <thread>

#include "client_test_util.h"
#include "rill/error.h"
#include "status_test_util.h"

namespace rill {
namespace {

using test::ClientEnv;
using test::Polled;
using test::PollUntil;
using test::TP;

ConsumerOptions Earliest() {
  return {.auto_offset_reset = AutoOffsetReset::kEarliest};
}

std::vector<int64_t> Offsets(const std::vector<Polled>& polled) {
  std::vector<int64_t> out;
  for (const Polled& p : polled) out.push_back(p.offset.value());
  return out;
}

TEST_CASE(
    "An assigned consumer reads every record in order with its offset, "
    "key, value, headers and timestamp",
    "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  const TopicPartition tp = TP("t", 0);
  env.Produce(tp,
              {{.key = "k0", .value = "v0", .timestamp_ms = 5'000},
               {.key = std::nullopt, .value = "v1", .timestamp_ms = 5'001}});
  env.Produce(tp, {{.key = "k2",
                    .value = std::nullopt,
                    .headers = {{"h1", "x"}, {"h2", std::nullopt}},
                    .timestamp_ms = 6'000}});
  env.Produce(tp, {{.key = "k3", .value = "v3", .timestamp_ms = 7'000}},
              {.compression = record::Compression::kLz4});

  auto consumer = env.NewConsumer(Earliest());
  REQUIRE_OK(consumer->Assign({tp}));
  std::vector<ConsumerRecords> batches;
  size_t total = 0;
  for (int i = 0; i < 500 && total < 4; ++i) {
    ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(10));
    total += records.size();
    batches.push_back(std::move(records));
  }
  std::vector<const ConsumerRecord*> all;
  for (const ConsumerRecords& records : batches) {
    for (const ConsumerRecord& r : records) all.push_back(&r);
  }
  REQUIRE(all.size() == 4);
  for (int i = 0; i < 4; ++i) {
    CHECK(all[i]->offset == Offset(i));
    CHECK(*all[i]->tp == tp);
    CHECK(all[i]->timestamp_type == record::TimestampType::kCreateTime);
  }
  CHECK(all[0]->key == std::optional<std::string_view>("k0"));
  CHECK(all[0]->value == std::optional<std::string_view>("v0"));
  CHECK(all[0]->timestamp_ms == 5'000);
  CHECK_FALSE(all[1]->key.has_value());
  CHECK(all[1]->timestamp_ms == 5'001);
  CHECK_FALSE(all[2]->value.has_value());
  REQUIRE(all[2]->headers.size() == 2);
  CHECK(all[2]->headers[0].key == "h1");
  CHECK(all[2]->headers[0].value == std::optional<std::string_view>("x"));
  CHECK(all[2]->headers[1].key == "h2");
  CHECK_FALSE(all[2]->headers[1].value.has_value());
  CHECK(all[2]->timestamp_ms == 6'000);
  CHECK(all[3]->value == std::optional<std::string_view>("v3"));  // lz4
  CHECK(all[3]->timestamp_ms == 7'000);
  ASSIGN_OR_REQUIRE(Offset position, consumer->Position(tp));
  CHECK(position == Offset(4));
}

TEST_CASE(
    "Poll returns at most max.poll.records and keeps the rest for the "
    "next Poll",
    "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  env.ProduceValues(TP("t", 0), 25, "v", /*per_batch=*/25);
  ConsumerOptions options = Earliest();
  options.max_poll_records = 10;
  auto consumer = env.NewConsumer(options);
  REQUIRE_OK(consumer->Assign({TP("t", 0)}));

  std::vector<size_t> sizes;
  std::vector<Polled> all;
  for (int i = 0; i < 500 && all.size() < 25; ++i) {
    ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(10));
    if (records.empty()) continue;
    sizes.push_back(records.size());
    test::Append(records, &all);
  }
  // One 25-record batch: 10, 10, then the 5 left over.
  CHECK(sizes == std::vector<size_t>{10, 10, 5});
  REQUIRE(all.size() == 25);
  for (int i = 0; i < 25; ++i) {
    CHECK(all[i].offset == Offset(i));
    CHECK(all[i].value == "v" + std::to_string(i));
    CHECK(all[i].key == "k" + std::to_string(i));
  }
}

TEST_CASE("A consumer reads several partitions, each in offset order",
          "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 3);
  for (int p = 0; p < 3; ++p) {
    env.ProduceValues(TP("t", p), 40, "p" + std::to_string(p) + "-", 7);
  }
  auto consumer = env.NewConsumer(Earliest());
  REQUIRE_OK(consumer->Assign({TP("t", 0), TP("t", 1), TP("t", 2)}));
  std::vector<Polled> all = PollUntil(*consumer, 120);
  REQUIRE(all.size() == 120);
  std::map<int32_t, int64_t> next;
  for (const Polled& r : all) {
    const int32_t p = r.tp.partition.value();
    CHECK(r.offset == Offset(next[p]));
    CHECK(r.value == "p" + std::to_string(p) + "-" + std::to_string(next[p]));
    ++next[p];
  }
}

TEST_CASE(
    "Tiny fetch limits still read everything, a whole batch at a "
    "time",
    "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 2);
  env.ProduceValues(TP("t", 0), 30, "a", 6);
  env.ProduceValues(TP("t", 1), 30, "b", 6);
  ConsumerOptions options = Earliest();
  options.max_partition_fetch_bytes = 1;  // KIP-74: the first batch anyway
  options.fetch_max_bytes = 1;
  auto consumer = env.NewConsumer(options);
  REQUIRE_OK(consumer->Assign({TP("t", 0), TP("t", 1)}));
  std::vector<size_t> sizes;
  std::vector<Polled> all;
  for (int i = 0; i < 500 && all.size() < 60; ++i) {
    ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(10));
    if (!records.empty()) sizes.push_back(records.size());
    test::Append(records, &all);
  }
  REQUIRE(all.size() == 60);
  for (size_t n : sizes) CHECK(n <= 6);  // one batch per fetch answer
  std::map<TopicPartition, int64_t> next;
  for (const Polled& p : all) CHECK(p.offset == Offset(next[p.tp]++));
}

TEST_CASE(
    "auto.offset.reset picks the log start, the end, or fails Poll "
    "until a Seek",
    "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  const TopicPartition tp = TP("t", 0);
  env.ProduceValues(tp, 5);
  REQUIRE_OK(env.broker->DeleteRecords(tp, Offset(2)));

  SECTION("earliest starts at the log start offset") {
    auto consumer = env.NewConsumer(Earliest());
    REQUIRE_OK(consumer->Assign({tp}));
    ASSIGN_OR_REQUIRE(Offset position, consumer->Position(tp));
    CHECK(position == Offset(2));
    CHECK(Offsets(PollUntil(*consumer, 3)) == std::vector<int64_t>{2, 3, 4});
  }
  SECTION("latest starts at the end and sees only new records") {
    auto consumer =
        env.NewConsumer({.auto_offset_reset = AutoOffsetReset::kLatest});
    REQUIRE_OK(consumer->Assign({tp}));
    ASSIGN_OR_REQUIRE(Offset position, consumer->Position(tp));
    CHECK(position == Offset(5));
    env.ProduceValues(tp, 2, "new");
    std::vector<Polled> polled = PollUntil(*consumer, 2);
    CHECK(Offsets(polled) == std::vector<int64_t>{5, 6});
    REQUIRE(polled.size() == 2);
    CHECK(polled[0].value == "new0");
  }
  SECTION("none makes Poll fail until the position is set") {
    auto consumer =
        env.NewConsumer({.auto_offset_reset = AutoOffsetReset::kNone});
    REQUIRE_OK(consumer->Assign({tp}));
    absl::StatusOr<ConsumerRecords> polled = consumer->Poll(0);
    REQUIRE_FALSE(polled.ok());
    CHECK(polled.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(polled.status().message().find("NoOffsetForPartition") !=
          absl::string_view::npos);
    CHECK_FALSE(consumer->Position(tp).ok());
    REQUIRE_OK(consumer->Seek(tp, Offset(3)));
    CHECK(Offsets(PollUntil(*consumer, 2)) == std::vector<int64_t>{3, 4});
  }
}

TEST_CASE("An out-of-range position is reset per auto.offset.reset",
          "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  const TopicPartition tp = TP("t", 0);
  env.ProduceValues(tp, 3);

  SECTION("earliest: back to the log start") {
    auto consumer = env.NewConsumer(Earliest());
    REQUIRE_OK(consumer->Assign({tp}));
    REQUIRE_OK(consumer->Seek(tp, Offset(100)));
    CHECK(Offsets(PollUntil(*consumer, 3)) == std::vector<int64_t>{0, 1, 2});
  }
  SECTION("none: Poll reports OFFSET_OUT_OF_RANGE until a Seek") {
    auto consumer =
        env.NewConsumer({.auto_offset_reset = AutoOffsetReset::kNone});
    REQUIRE_OK(consumer->Assign({tp}));
    REQUIRE_OK(consumer->Seek(tp, Offset(100)));
    absl::Status error;
    for (int i = 0; i < 500 && error.ok(); ++i) {
      error = consumer->Poll(10).status();
    }
    CHECK(HasErrorReason(error, ErrorReason::kOffsetOutOfRange));
    CHECK_FALSE(consumer->Poll(0).ok());  // still, until sought
    REQUIRE_OK(consumer->Seek(tp, Offset(1)));
    CHECK(Offsets(PollUntil(*consumer, 2)) == std::vector<int64_t>{1, 2});
  }
}

TEST_CASE(
    "Seek, SeekToBeginning and SeekToEnd move the position and drop "
    "what was fetched",
    "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  const TopicPartition tp = TP("t", 0);
  env.ProduceValues(tp, 10, "v", 10);
  ConsumerOptions options = Earliest();
  options.max_poll_records = 4;
  auto consumer = env.NewConsumer(options);
  REQUIRE_OK(consumer->Assign({tp}));

  // Four returned, six more buffered from the same fetch.
  CHECK(Offsets(PollUntil(*consumer, 4)) == std::vector<int64_t>{0, 1, 2, 3});
  REQUIRE_OK(consumer->Seek(tp, Offset(7)));
  CHECK(Offsets(PollUntil(*consumer, 3)) == std::vector<int64_t>{7, 8, 9});
  REQUIRE_OK(consumer->SeekToBeginning({tp}));
  ASSIGN_OR_REQUIRE(Offset beginning, consumer->Position(tp));
  CHECK(beginning == Offset(0));
  CHECK(Offsets(PollUntil(*consumer, 4)) == std::vector<int64_t>{0, 1, 2, 3});
  REQUIRE_OK(consumer->SeekToEnd({}));  // every assigned partition
  ASSIGN_OR_REQUIRE(Offset end, consumer->Position(tp));
  CHECK(end == Offset(10));
  env.ProduceValues(tp, 1, "late");
  std::vector<Polled> late = PollUntil(*consumer, 1);
  REQUIRE(late.size() == 1);
  CHECK(late[0].offset == Offset(10));
  CHECK(late[0].value == "late0");

  CHECK(consumer->Seek(TP("t", 5), Offset(0)).code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(consumer->Seek(tp, Offset(-1)).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Paused partitions return nothing until resumed",
          "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 2);
  env.ProduceValues(TP("t", 0), 5, "a");
  env.ProduceValues(TP("t", 1), 5, "b");
  auto consumer = env.NewConsumer(Earliest());
  REQUIRE_OK(consumer->Assign({TP("t", 0), TP("t", 1)}));
  REQUIRE_OK(consumer->Pause({TP("t", 1)}));
  CHECK(consumer->Paused() == std::vector<TopicPartition>{TP("t", 1)});

  std::vector<Polled> polled = PollUntil(*consumer, 5);
  // A little longer: nothing from the paused partition may show up.
  for (int i = 0; i < 5; ++i) {
    ASSIGN_OR_REQUIRE(ConsumerRecords more, consumer->Poll(5));
    test::Append(more, &polled);
  }
  REQUIRE(polled.size() == 5);
  for (const Polled& p : polled) CHECK(p.tp == TP("t", 0));
  ASSIGN_OR_REQUIRE(Offset paused_position, consumer->Position(TP("t", 1)));
  CHECK(paused_position == Offset(0));

  REQUIRE_OK(consumer->Resume({TP("t", 1)}));
  CHECK(consumer->Paused().empty());
  std::vector<Polled> resumed = PollUntil(*consumer, 5);
  REQUIRE(resumed.size() == 5);
  for (const Polled& p : resumed) CHECK(p.tp == TP("t", 1));
  CHECK(consumer->Pause({TP("other", 0)}).code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("Position and Lag follow consumption", "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  const TopicPartition tp = TP("t", 0);
  env.ProduceValues(tp, 10, "v", 10);
  ConsumerOptions options = Earliest();
  options.max_poll_records = 4;
  auto consumer = env.NewConsumer(options);
  REQUIRE_OK(consumer->Assign({tp}));
  ASSIGN_OR_REQUIRE(int64_t lag, consumer->Lag(tp));
  CHECK(lag == 10);
  PollUntil(*consumer, 4);
  ASSIGN_OR_REQUIRE(Offset position, consumer->Position(tp));
  CHECK(position == Offset(4));
  ASSIGN_OR_REQUIRE(lag, consumer->Lag(tp));
  CHECK(lag == 6);
  env.ProduceValues(tp, 5);
  ASSIGN_OR_REQUIRE(lag, consumer->Lag(tp));
  CHECK(lag == 11);
  CHECK(consumer->Lag(TP("t", 9)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("Wakeup makes a blocked Poll return early and empty",
          "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  auto consumer = env.NewConsumer(Earliest());
  REQUIRE_OK(consumer->Assign({TP("t", 0)}));

  SECTION("a Wakeup before Poll ends the next Poll at once") {
    consumer->Wakeup();
    const absl::Time start = absl::Now();
    ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(60'000));
    CHECK(records.empty());
    CHECK(absl::Now() - start < absl::Seconds(30));
  }
  SECTION("a Wakeup from another thread ends a Poll in progress") {
    const absl::Time start = absl::Now();
    std::thread waker([&] { consumer->Wakeup(); });
    ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(60'000));
    waker.join();
    CHECK(records.empty());
    CHECK(absl::Now() - start < absl::Seconds(30));
  }
}

TEST_CASE("A Poll waiting for data returns as soon as records arrive",
          "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  auto consumer = env.NewConsumer(Earliest());
  REQUIRE_OK(consumer->Assign({TP("t", 0)}));
  ASSIGN_OR_REQUIRE(ConsumerRecords none, consumer->Poll(0));  // fetch parked
  CHECK(none.empty());
  std::thread producer([&] { env.ProduceValues(TP("t", 0), 1); });
  const absl::Time start = absl::Now();
  ASSIGN_OR_REQUIRE(ConsumerRecords records, consumer->Poll(60'000));
  producer.join();
  REQUIRE(records.size() == 1);
  CHECK(records[0].value == std::optional<std::string_view>("v0"));
  CHECK(absl::Now() - start < absl::Seconds(30));
}

TEST_CASE("Assign and Subscribe are exclusive and need what they need",
          "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  auto no_group = env.NewConsumer({});
  CHECK(no_group->Subscribe({"t"}).code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(no_group->CommitSync().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(no_group->Committed(TP("t", 0)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(no_group->Poll(0).status().code() ==
        absl::StatusCode::kFailedPrecondition);  // nothing to read

  auto grouped = env.NewConsumer({.group_id = "g"});
  REQUIRE_OK(grouped->Subscribe({"t"}));
  CHECK(grouped->Assign({TP("t", 0)}).code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(grouped->Subscription() == std::vector<std::string>{"t"});
  REQUIRE_OK(grouped->Unsubscribe());
  REQUIRE_OK(grouped->Assign({TP("t", 0)}));
  CHECK(grouped->Subscribe({"t"}).code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(grouped->Assignment() == std::vector<TopicPartition>{TP("t", 0)});
  REQUIRE_OK(grouped->Close());
  CHECK(grouped->Poll(0).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE(
    "A manually assigned consumer with a group.id commits positions "
    "and a new one resumes from them",
    "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  const TopicPartition tp = TP("t", 0);
  env.ProduceValues(tp, 10, "v", 10);
  ConsumerOptions options{.group_id = "manual",
                          .auto_offset_reset = AutoOffsetReset::kEarliest,
                          .enable_auto_commit = false,
                          .max_poll_records = 6};
  {
    auto consumer = env.NewConsumer(options);
    REQUIRE_OK(consumer->Assign({tp}));
    REQUIRE(PollUntil(*consumer, 6).size() == 6);
    REQUIRE_OK(consumer->CommitSync());
    ASSIGN_OR_REQUIRE(std::optional<OffsetAndMetadata> committed,
                      consumer->Committed(tp));
    REQUIRE(committed.has_value());
    CHECK(committed->offset == Offset(6));
    REQUIRE_OK(
        consumer->CommitSync({{tp, {.offset = Offset(7), .metadata = "m"}}}));
    REQUIRE_OK(consumer->Close());
  }
  auto next = env.NewConsumer(options);
  REQUIRE_OK(next->Assign({tp}));
  ASSIGN_OR_REQUIRE(Offset position, next->Position(tp));
  CHECK(position == Offset(7));
  ASSIGN_OR_REQUIRE(std::optional<OffsetAndMetadata> committed,
                    next->Committed(tp));
  REQUIRE(committed.has_value());
  CHECK(committed->metadata == "m");
  CHECK(Offsets(PollUntil(*next, 3)) == std::vector<int64_t>{7, 8, 9});
}

TEST_CASE(
    "CommitAsync runs its callback on a later call of the polling "
    "thread",
    "[client][consumer]") {
  ClientEnv env;
  env.CreateTopic("t", 1);
  const TopicPartition tp = TP("t", 0);
  env.ProduceValues(tp, 3);
  auto consumer =
      env.NewConsumer({.group_id = "async",
                       .auto_offset_reset = AutoOffsetReset::kEarliest,
                       .enable_auto_commit = false});
  REQUIRE_OK(consumer->Assign({tp}));
  REQUIRE(PollUntil(*consumer, 3).size() == 3);
  std::vector<absl::Status> results;
  consumer->CommitAsync([&](absl::Status s) { results.push_back(s); });
  for (int i = 0; i < 100 && results.empty(); ++i) {
    REQUIRE_OK(consumer->Poll(1));
  }
  REQUIRE(results.size() == 1);
  CHECK_OK(results[0]);
  ASSIGN_OR_REQUIRE(std::optional<OffsetAndMetadata> committed,
                    consumer->Committed(tp));
  REQUIRE(committed.has_value());
  CHECK(committed->offset == Offset(3));
}

}  // namespace
}  // namespace rill
