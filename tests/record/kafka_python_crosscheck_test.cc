// Cross-checks rill's batches against kafka-python, an independent
// implementation: kafka-python must read what rill writes, and rill must read
// what kafka-python writes, for every codec, field by field. The helper script
// is tests/record/kafka_python_batches.py; it needs the system interpreter
// (Debian's python3-kafka, -snappy, -lz4, -zstandard). Missing them is a test
// failure, not a skip: the set-up script installs them.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "record/compression.h"
#include "record/format.h"
#include "record/json_lines.h"
#include "record/record_test_util.h"
#include "rill/record/record_batch.h"

namespace rill::record {
namespace {

using testing::Hex;
using testing::Json;
using testing::OwnedRecord;
using testing::Unhex;

constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kScript =
    RILL_SOURCE_DIR "/tests/record/kafka_python_batches.py";

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult Run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0)
    result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("rill_kafka_python_" + std::to_string(getpid()) + "_" + name))
      .string();
}

std::vector<Json> ParseLines(const std::string& output) {
  std::vector<Json> lines;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::optional<Json> json = testing::JsonParser::Parse(line);
    INFO(line.substr(0, 200));
    REQUIRE(json.has_value());
    lines.push_back(*json);
  }
  return lines;
}

void RequirePythonKafka() {
  INFO("the cross-check needs " << kPython
                                << " with kafka, snappy, lz4, zstandard");
  REQUIRE(access(kPython, X_OK) == 0);
  REQUIRE(access(kScript, R_OK) == 0);
  const CommandResult imports =
      Run(std::string(kPython) +
          " -c 'import kafka.record.default_records, snappy, lz4.frame, "
          "zstandard' 2>&1");
  INFO(imports.output);
  REQUIRE(imports.exit_code == 0);
}

// ExpectedRecord is a record as kafka-python should report it.
struct ExpectedRecord {
  int64_t offset;
  OwnedRecord record;  // timestamp_ms as read (LogAppendTime applied)
};

void CheckRecordLine(const Json& line, const ExpectedRecord& expected) {
  CHECK(line.at("kind").string == "record");
  CHECK(line.at("offset").integer == expected.offset);
  CHECK(line.at("timestamp").integer == expected.record.timestamp_ms);
  const std::optional<std::string> key = line.at("key").nullable_string();
  const std::optional<std::string> value = line.at("value").nullable_string();
  CHECK(key.has_value() == expected.record.key.has_value());
  CHECK(value.has_value() == expected.record.value.has_value());
  if (key && expected.record.key) CHECK(*key == Hex(*expected.record.key));
  if (value && expected.record.value) {
    CHECK(*value == Hex(*expected.record.value));
  }
  const std::vector<Json>& headers = line.at("headers").array;
  REQUIRE(headers.size() == expected.record.headers.size());
  for (size_t i = 0; i < headers.size(); ++i) {
    REQUIRE(headers[i].array.size() == 2);
    CHECK(headers[i].array[0].string == Hex(expected.record.headers[i].first));
    const std::optional<std::string> hv = headers[i].array[1].nullable_string();
    const std::optional<std::string>& ev = expected.record.headers[i].second;
    CHECK(hv.has_value() == ev.has_value());
    if (hv && ev) CHECK(*hv == Hex(*ev));
  }
}

// CheckBatchLine compares a kafka-python batch line with rill's header.
void CheckBatchLine(const Json& line, const RecordBatchHeader& h) {
  CHECK(line.at("kind").string == "batch");
  CHECK(line.at("base_offset").integer == h.base_offset);
  CHECK(line.at("partition_leader_epoch").integer == h.partition_leader_epoch);
  CHECK(line.at("magic").integer == 2);
  CHECK(line.at("attributes").integer == h.attributes);
  CHECK(line.at("last_offset_delta").integer == h.last_offset_delta);
  CHECK(line.at("first_timestamp").integer == h.base_timestamp);
  CHECK(line.at("max_timestamp").integer == h.max_timestamp);
  CHECK(line.at("producer_id").integer == h.producer_id);
  CHECK(line.at("producer_epoch").integer == h.producer_epoch);
  CHECK(line.at("base_sequence").integer == h.base_sequence);
  CHECK(line.at("records_count").integer == h.records_count);
}

// A batch rill writes for kafka-python to read, with what it should read.
struct Case {
  std::string name;
  std::string bytes = {};
  std::vector<ExpectedRecord> expected = {};
};

Case MakeCase(const std::string& name, const BatchOptions& options,
              const std::vector<OwnedRecord>& records,
              const std::vector<int64_t>& offsets = {}) {
  RecordBatchBuilder builder(options);
  Case c{.name = name};
  for (size_t i = 0; i < records.size(); ++i) {
    int64_t offset = options.base_offset + static_cast<int64_t>(i);
    if (!offsets.empty()) {
      offset = offsets[i];
      builder.AppendWithOffset(Offset(offset), records[i].view());
    } else {
      builder.Append(records[i].view());
    }
    c.expected.push_back({offset, records[i]});
  }
  if (!offsets.empty()) {
    builder.set_last_offset_delta(
        static_cast<int32_t>(offsets.back() - options.base_offset + 1));
  }
  absl::StatusOr<std::string> built = builder.Build();
  REQUIRE(built.ok());
  c.bytes = *built;
  if (options.timestamp_type == TimestampType::kLogAppendTime) {
    for (ExpectedRecord& e : c.expected) {
      e.record.timestamp_ms = options.log_append_time_ms;
    }
  }
  return c;
}

std::vector<Case> RillCases(Compression codec) {
  const std::string codec_name = testing::CodecName(codec);
  std::vector<Case> cases;
  cases.push_back(MakeCase(codec_name + " producer batch",
                           {.compression = codec},
                           testing::SampleRecords(/*large=*/true)));
  cases.push_back(MakeCase(codec_name + " transactional batch with gaps",
                           {.compression = codec,
                            .base_offset = 1000,
                            .partition_leader_epoch = 7,
                            .producer_id = 123456789012,
                            .producer_epoch = 9,
                            .base_sequence = 41,
                            .is_transactional = true},
                           testing::SampleRecords(),
                           {1000, 1002, 1003, 1007, 1008}));
  cases.push_back(MakeCase(codec_name + " LogAppendTime batch",
                           {.compression = codec,
                            .timestamp_type = TimestampType::kLogAppendTime,
                            .base_offset = 2000,
                            .log_append_time_ms = 1800000000123},
                           testing::SampleRecords()));
  cases.push_back(MakeCase(codec_name + " control batch",
                           {.compression = codec,
                            .base_offset = 3000,
                            .producer_id = 5,
                            .producer_epoch = 2,
                            .is_transactional = true,
                            .is_control = true},
                           {OwnedRecord{1700000000000,
                                        ControlRecordKey(ControlType::kCommit),
                                        ControlRecordValue(11),
                                        {}}}));
  return cases;
}

TEST_CASE("kafka-python reads every batch rill writes, for every codec",
          "[record][kafka-python]") {
  RequirePythonKafka();
  for (Compression codec : testing::kAllCodecs) {
    DYNAMIC_SECTION(testing::CodecName(codec)) {
      const std::vector<Case> cases = RillCases(codec);
      const std::string path =
          TempPath(std::string("rill_") + testing::CodecName(codec) + ".bin");
      {
        std::ofstream out(path, std::ios::binary);
        for (const Case& c : cases) out << c.bytes;
        REQUIRE(out.good());
      }
      const CommandResult result = Run(std::string(kPython) + " " + kScript +
                                       " decode " + path + " 2>&1");
      std::filesystem::remove(path);
      INFO(result.output.substr(0, 2000));
      REQUIRE(result.exit_code == 0);
      const std::vector<Json> lines = ParseLines(result.output);

      size_t at = 0;
      for (size_t b = 0; b < cases.size(); ++b) {
        const Case& c = cases[b];
        INFO(c.name);
        REQUIRE(at < lines.size());
        absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(c.bytes);
        REQUIRE(view.ok());
        CHECK(lines[at].at("index").integer == static_cast<int64_t>(b));
        CHECK(lines[at].at("crc_valid").boolean);
        CheckBatchLine(lines[at], view->header());
        ++at;
        for (const ExpectedRecord& e : c.expected) {
          REQUIRE(at < lines.size());
          CHECK(lines[at].at("batch").integer == static_cast<int64_t>(b));
          CheckRecordLine(lines[at], e);
          ++at;
        }
      }
      CHECK(at == lines.size());
    }
  }
}

// FromLine turns a kafka-python record line back into a record.
OwnedRecord FromLine(const Json& line) {
  OwnedRecord r{.timestamp_ms = line.at("timestamp").integer};
  if (auto key = line.at("key").nullable_string()) r.key = Unhex(*key);
  if (auto value = line.at("value").nullable_string()) r.value = Unhex(*value);
  for (const Json& h : line.at("headers").array) {
    std::optional<std::string> v = h.array.at(1).nullable_string();
    r.headers.emplace_back(
        Unhex(h.array.at(0).string),
        v ? std::optional<std::string>(Unhex(*v)) : std::nullopt);
  }
  return r;
}

TEST_CASE(
    "rill reads every batch kafka-python writes, and writes the same records "
    "byte for byte",
    "[record][kafka-python]") {
  RequirePythonKafka();
  const std::string path = TempPath("kafka_python.bin");
  const CommandResult result =
      Run(std::string(kPython) + " " + kScript + " encode " + path + " 2>&1");
  INFO(result.output.substr(0, 2000));
  REQUIRE(result.exit_code == 0);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::remove(path);
  const std::vector<Json> lines = ParseLines(result.output);

  // Group the lines: one batch line, then its records.
  std::vector<std::pair<Json, std::vector<Json>>> expected;
  for (const Json& line : lines) {
    if (line.at("kind").string == "batch") {
      expected.push_back({line, {}});
    } else {
      REQUIRE(!expected.empty());
      expected.back().second.push_back(line);
    }
  }
  REQUIRE(expected.size() == 10);  // 5 codecs × (small, large transactional)

  std::vector<int> batches_per_codec(5, 0);
  BatchIterator it(bytes);
  size_t b = 0;
  while (it.Next()) {
    REQUIRE(b < expected.size());
    const auto& [batch_line, record_lines] = expected[b];
    const RecordBatchView& batch = it.batch();
    const Compression codec = batch.header().compression();
    INFO("batch " << b << " codec " << testing::CodecName(codec));
    ++batches_per_codec.at(static_cast<int>(codec));
    CHECK(batch.VerifyCrc().ok());
    CheckBatchLine(batch_line, batch.header());

    absl::StatusOr<DecodedRecords> decoded = batch.DecodeRecords();
    REQUIRE(decoded.ok());
    REQUIRE(decoded->size() == record_lines.size());
    std::vector<OwnedRecord> inputs;
    for (size_t i = 0; i < record_lines.size(); ++i) {
      const RecordView& r = decoded->records()[i];
      CHECK(r.offset.value() == record_lines[i].at("offset").integer);
      CHECK(r.attributes == 0);
      CheckRecordLine(record_lines[i], {r.offset.value(), testing::ToOwned(r)});
      inputs.push_back(FromLine(record_lines[i]));
    }

    // The same inputs through rill's builder: kafka-python writes leader
    // epoch 0 where Java writes -1, so match that; then the uncompressed
    // batch is identical, and a compressed one holds identical records.
    const BatchOptions options{
        .compression = codec,
        .partition_leader_epoch = 0,
        .producer_id = batch.header().producer_id,
        .producer_epoch = batch.header().producer_epoch,
        .base_sequence = batch.header().base_sequence,
        .is_transactional = batch.header().is_transactional()};
    absl::StatusOr<std::string> ours = testing::Build(options, inputs);
    REQUIRE(ours.ok());
    if (codec == Compression::kNone) {
      CHECK(Hex(*ours) == Hex(batch.data()));
    } else {
      absl::StatusOr<std::string> theirs = internal::Decompress(
          codec, batch.data().substr(format::kRecordsOffset), 1 << 24);
      absl::StatusOr<std::string> mine = internal::Decompress(
          codec, std::string_view(*ours).substr(format::kRecordsOffset),
          1 << 24);
      REQUIRE(theirs.ok());
      REQUIRE(mine.ok());
      CHECK(Hex(*mine) == Hex(*theirs));
      CHECK(
          ours->substr(format::kAttributesOffset,
                       format::kHeaderSize - format::kAttributesOffset) ==
          batch.data().substr(format::kAttributesOffset,
                              format::kHeaderSize - format::kAttributesOffset));
    }
    ++b;
  }
  CHECK(it.status().ok());
  CHECK_FALSE(it.truncated_tail());
  CHECK(b == expected.size());
  for (int codec = 0; codec < 5; ++codec) {
    INFO("codec " << codec);
    CHECK(batches_per_codec[codec] == 2);
  }
}

}  // namespace
}  // namespace rill::record
