// check.crcs: a batch whose bytes went bad between the log and the consumer
// is refused, after the good records before it.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>

#include "client_test_util.h"
#include "io/forwarding_file_system.h"
#include "rill/client/consumer.h"
#include "rill/error.h"
#include "rill/io/file_system.h"
#include "status_test_util.h"

namespace rill {
namespace {

// FlipFile flips one byte of what is read at `*flip_at` (when >= 0), as a
// bad disk or memory would.
class FlipFile final : public io::testing::ForwardingFile {
 public:
  FlipFile(std::unique_ptr<io::File> base,
           std::shared_ptr<std::atomic<int64_t>> flip_at)
      : ForwardingFile(std::move(base)), flip_at_(std::move(flip_at)) {}

  absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n,
                                          char* scratch) const override {
    absl::StatusOr<std::string_view> got =
        ForwardingFile::ReadAt(offset, n, scratch);
    const int64_t at = flip_at_->load();
    if (!got.ok() || at < 0 || static_cast<uint64_t>(at) < offset ||
        static_cast<uint64_t>(at) >= offset + got->size()) {
      return got;
    }
    if (got->data() != scratch) std::memcpy(scratch, got->data(), got->size());
    scratch[at - offset] ^= 0x20;
    return std::string_view(scratch, got->size());
  }

 private:
  std::shared_ptr<std::atomic<int64_t>> flip_at_;
};

// FlipFileSystem is an in-memory file system whose files named
// `victim_suffix` are FlipFiles.
class FlipFileSystem : public io::testing::ForwardingFileSystem {
 public:
  FlipFileSystem(std::string victim_suffix,
                 std::shared_ptr<std::atomic<int64_t>> flip_at)
      : ForwardingFileSystem(io::NewMemFileSystem()),
        victim_suffix_(std::move(victim_suffix)),
        flip_at_(std::move(flip_at)) {}

  absl::StatusOr<std::unique_ptr<io::File>> OpenFile(
      const std::string& path, const io::OpenOptions& options) override {
    absl::StatusOr<std::unique_ptr<io::File>> file =
        ForwardingFileSystem::OpenFile(path, options);
    if (!file.ok() || path.size() < victim_suffix_.size() ||
        path.compare(path.size() - victim_suffix_.size(), victim_suffix_.size(),
                     victim_suffix_) != 0) {
      return file;
    }
    return std::unique_ptr<io::File>(
        std::make_unique<FlipFile>(*std::move(file), flip_at_));
  }

 private:
  const std::string victim_suffix_;
  const std::shared_ptr<std::atomic<int64_t>> flip_at_;
};

TEST_CASE(
    "With check.crcs a corrupt batch fails Poll after the records "
    "before it, until the consumer seeks past it",
    "[client][consumer]") {
  auto flip_at = std::make_shared<std::atomic<int64_t>>(-1);
  BrokerOptions options{.data_dir = "/data",
                        .fs = std::make_shared<FlipFileSystem>(
                            "t-0/00000000000000000000.log", flip_at),
                        .clock = std::make_shared<ManualClock>(1'000)};
  options.offsets_topic_num_partitions = 1;
  options.maintenance_interval_ms = 0;
  ASSIGN_OR_REQUIRE(std::unique_ptr<Broker> broker, Broker::Open(options));
  REQUIRE_OK(broker->CreateTopic({.name = "t", .num_partitions = 1}));
  const TopicPartition tp = test::TP("t", 0);
  const std::string value(100, 'x');
  std::vector<size_t> batch_sizes;
  for (int b = 0; b < 3; ++b) {
    record::RecordBatchBuilder builder;
    builder.Append({.timestamp_ms = 1, .key = std::nullopt, .value = value});
    builder.Append({.timestamp_ms = 1, .key = std::nullopt, .value = value});
    std::string batch = builder.Build().value();
    batch_sizes.push_back(batch.size());
    absl::Notification done;
    broker->Produce(tp, std::span<char>(batch.data(), batch.size()), {},
                    [&](absl::StatusOr<ProduceResult> r) {
                      CHECK_OK(r);
                      done.Notify();
                    });
    REQUIRE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  }
  // A byte in the middle of the second batch's last value (offset 3).
  flip_at->store(static_cast<int64_t>(batch_sizes[0] + batch_sizes[1] - 30));

  auto read = [&](bool check_crcs, std::vector<int64_t>* offsets) {
    ConsumerOptions consumer_options{.auto_offset_reset =
                                         AutoOffsetReset::kEarliest};
    consumer_options.check_crcs = check_crcs;
    auto consumer = Consumer::Create(*broker, consumer_options);
    REQUIRE_OK(consumer);
    REQUIRE_OK((*consumer)->Assign({tp}));
    absl::Status error;
    for (int i = 0; i < 200 && offsets->size() < 6 && error.ok(); ++i) {
      absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(5);
      if (!records.ok()) {
        error = records.status();
        break;
      }
      for (const ConsumerRecord& r : *records) {
        offsets->push_back(r.offset.value());
        if (r.offset == Offset(3)) CHECK(*r.value != value);  // flipped
      }
    }
    if (!error.ok()) {
      // Still failing on the next Poll; a seek past the batch moves on.
      CHECK(HasErrorReason((*consumer)->Poll(0).status(),
                           ErrorReason::kCorruptMessage));
      REQUIRE_OK((*consumer)->Seek(tp, Offset(4)));
      for (int i = 0; i < 200 && offsets->size() < 4; ++i) {
        ASSIGN_OR_REQUIRE(ConsumerRecords records, (*consumer)->Poll(5));
        for (const ConsumerRecord& r : records) {
          offsets->push_back(r.offset.value());
        }
      }
    }
    return error;
  };

  SECTION("check.crcs=true refuses the batch") {
    std::vector<int64_t> offsets;
    const absl::Status error = read(true, &offsets);
    INFO(error.ToString());
    CHECK(HasErrorReason(error, ErrorReason::kCorruptMessage));
    CHECK(error.message().find("t-0") != absl::string_view::npos);
    CHECK(offsets == std::vector<int64_t>{0, 1, 4, 5});
  }
  SECTION("check.crcs=false hands out the damaged record") {
    std::vector<int64_t> offsets;
    CHECK_OK(read(false, &offsets));
    CHECK(offsets == std::vector<int64_t>{0, 1, 2, 3, 4, 5});
  }
  REQUIRE_OK(broker->Close());
}

}  // namespace
}  // namespace rill
