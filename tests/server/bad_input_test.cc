// Bad input on the wire: each case gets what a Kafka broker answers (an
// error code in the response, or a closed connection) and leaves the log as
// it was — the partition's offsets do not move and the next good batch lands
// right after the last good one.
#include <catch2/catch.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "protocol/codec.h"
#include "protocol/header.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/produce.h"
#include "record/format.h"
#include "rill/record/record_batch.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "util/crc32c.h"
#include "util/endian.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::ProduceRequest;
using protocol::ProduceResponse;
namespace rf = record::format;

// Kafka's error codes, written out so a wrong translation table fails here.
constexpr int16_t kNone = 0;
constexpr int16_t kCorruptMessage = 2;
constexpr int16_t kMessageTooLarge = 10;
constexpr int16_t kUnsupportedVersion = 35;
constexpr int16_t kUnsupportedCompressionType = 76;
constexpr int16_t kInvalidRecord = 87;

constexpr char kTopic[] = "bad-input";
constexpr int32_t kMaxRequestBytes = 64 << 10;
constexpr int32_t kMaxMessageBytes = 4096;

// Batch builds a batch of `count` records with values of `value_bytes`.
std::string Batch(int count,
                  record::Compression compression = record::Compression::kNone,
                  size_t value_bytes = 16) {
  record::RecordBatchBuilder builder({.compression = compression});
  std::vector<std::string> values;
  for (int i = 0; i < count; ++i) {
    // Digits of a counter: not very compressible, so sizes stay honest.
    std::string value;
    for (size_t j = 0; value.size() < value_bytes; ++j) {
      value += std::to_string((i + 1) * 7919 + j * 104729);
    }
    value.resize(value_bytes);
    values.push_back(std::move(value));
  }
  for (int i = 0; i < count; ++i) {
    builder.Append({.timestamp_ms = 1'700'000'000'000 + i,
                    .key = "key",
                    .value = values[static_cast<size_t>(i)]});
  }
  auto batch = builder.Build();
  REQUIRE_OK(batch.status());
  return *std::move(batch);
}

// RecomputeCrc makes a batch whose header was edited pass the CRC check.
void RecomputeCrc(std::string& batch) {
  util::StoreBigEndian(batch.data() + rf::kCrcOffset,
                       util::crc32c::Value(batch.data() + rf::kCrcStart,
                                           batch.size() - rf::kCrcStart));
}

// Produce is a request for partition 0 of kTopic; `batch` must outlive it.
ProduceRequest Produce(std::string& batch, int16_t acks = -1) {
  ProduceRequest request;
  request.acks = acks;
  request.timeout_ms = 5000;
  ProduceRequest::TopicData& topic = request.topic_data.emplace_back();
  topic.name = kTopic;
  ProduceRequest::PartitionData& partition =
      topic.partition_data.emplace_back();
  partition.index = 0;
  partition.records.view = std::span<char>(batch);
  return request;
}

// Frame is a request frame with a header of our choosing and a raw body.
std::string Frame(int16_t api_key, int16_t version, const std::string& body,
                  bool flexible = false) {
  protocol::WireWriter w;
  w.Fixed<int32_t>(0);
  protocol::WriteRequestHeader({.api_key = api_key,
                                .api_version = version,
                                .correlation_id = 7,
                                .client_id = "bad-input"},
                               flexible, w);
  w.Append(body);
  w.PatchFixed<int32_t>(0, static_cast<int32_t>(w.size() - 4));
  return w.buffer();
}

// BadInputServer serves kTopic (one partition, max.message.bytes 4096)
// holding three good records at offsets 0-2.
class BadInputServer {
 public:
  BadInputServer()
      : served_({.listeners = {"PLAINTEXT://127.0.0.1:0"},
                 .socket_request_max_bytes = kMaxRequestBytes}) {
    REQUIRE_OK(served_.broker->CreateTopic(
        {.name = kTopic,
         .num_partitions = 1,
         .configs = {
             {"max.message.bytes", std::to_string(kMaxMessageBytes)}}}));
    WireClient client(port());
    CHECK(ProduceGood(client) == 0);
  }

  int port() const { return served_.port(); }

  // ProduceGood sends a good three-record batch and returns its base
  // offset (or -1 with the test failed).
  int64_t ProduceGood(WireClient& client) {
    std::string batch = Batch(3);
    auto response = client.RoundTrip<ProduceResponse>(Produce(batch), 7);
    REQUIRE_OK(response.status());
    const auto& partition = response->responses.at(0).partition_responses.at(0);
    CHECK(partition.error_code == kNone);
    return partition.base_offset;
  }

  // CheckLogUnchanged: still offsets 0-2, and the next good batch gets 3.
  void CheckLogUnchanged(WireClient& client) {
    auto offsets =
        served_.broker->GetPartitionOffsets({kTopic, PartitionId(0)});
    REQUIRE_OK(offsets.status());
    CHECK(offsets->log_start_offset.value() == 0);
    CHECK(offsets->log_end_offset.value() == 3);
    CHECK(offsets->high_watermark.value() == 3);
    CHECK(ProduceGood(client) == 3);
  }

 private:
  ServedBroker served_;
};

TEST_CASE(
    "a bad Produce batch gets Kafka's error code and the log is unchanged",
    "[server][integration]") {
  BadInputServer server;
  int16_t version = 7;
  int16_t expected = kNone;
  std::string batch;
  SECTION(
      "a batch cut short (batchLength runs past the records): "
      "INVALID_RECORD") {
    batch = Batch(3);
    batch.resize(batch.size() - 5);
    expected = kInvalidRecord;
  }
  SECTION("fewer bytes than a batch header: INVALID_RECORD") {
    batch = Batch(3).substr(0, 40);
    expected = kInvalidRecord;
  }
  SECTION("a bad CRC: CORRUPT_MESSAGE") {
    batch = Batch(3);
    batch[batch.size() - 3] ^= 0x20;  // inside the last record's value
    expected = kCorruptMessage;
  }
  SECTION("a record count other than lastOffsetDelta + 1: INVALID_RECORD") {
    batch = Batch(3);
    util::StoreBigEndian(batch.data() + rf::kRecordsCountOffset, int32_t{4});
    RecomputeCrc(batch);
    expected = kInvalidRecord;
  }
  SECTION("zstd in Produce v6: UNSUPPORTED_COMPRESSION_TYPE") {
    batch = Batch(3, record::Compression::kZstd);
    version = 6;
    expected = kUnsupportedCompressionType;
  }
  SECTION("a batch over the topic's max.message.bytes: MESSAGE_TOO_LARGE") {
    batch = Batch(2, record::Compression::kNone, kMaxMessageBytes);
    REQUIRE(batch.size() > static_cast<size_t>(kMaxMessageBytes));
    expected = kMessageTooLarge;
  }
  SECTION("two batches for one partition: INVALID_RECORD") {
    batch = Batch(3) + Batch(3);
    expected = kInvalidRecord;
  }

  WireClient client(server.port());
  auto response = client.RoundTrip<ProduceResponse>(Produce(batch), version);
  REQUIRE_OK(response.status());
  REQUIRE(response->responses.size() == 1);
  REQUIRE(response->responses[0].partition_responses.size() == 1);
  const auto& partition = response->responses[0].partition_responses[0];
  CHECK(partition.error_code == expected);
  CHECK(partition.base_offset == -1);
  // The connection stays usable: the next good batch goes through it.
  server.CheckLogUnchanged(client);
}

TEST_CASE("zstd is refused below Produce v7 only", "[server][integration]") {
  BadInputServer server;
  WireClient client(server.port());
  std::string batch = Batch(3, record::Compression::kZstd);
  auto response = client.RoundTrip<ProduceResponse>(Produce(batch), 7);
  REQUIRE_OK(response.status());
  const auto& partition = response->responses.at(0).partition_responses.at(0);
  CHECK(partition.error_code == kNone);
  CHECK(partition.base_offset == 3);
}

TEST_CASE("bad requests close the connection and never reach the log",
          "[server][integration]") {
  BadInputServer server;
  std::string bad;
  SECTION("a Produce frame that ends inside its records") {
    std::string batch = Batch(3);
    std::string frame = WireClient::FrameRequest(Produce(batch), 7, 1);
    frame.resize(frame.size() - 10);
    util::StoreBigEndian(frame.data(), static_cast<int32_t>(frame.size() - 4));
    bad = frame;
  }
  SECTION("a Produce body that is not a Produce request") {
    bad = Frame(0, 7, std::string("\x00\x07garbage\xff\xff\xff\xff", 13));
  }
  SECTION("a frame shorter than a request header") {
    bad = std::string("\x00\x00\x00\x05\x00\x00\x00\x07\x00", 9);
  }
  SECTION("a negative client id length") {
    bad = std::string(
        "\x00\x00\x00\x0a\x00\x00\x00\x07\x00\x00\x00\x01\xff\xfe", 14);
  }
  SECTION("a request larger than socket.request.max.bytes") {
    std::string batch = Batch(1, record::Compression::kNone,
                              static_cast<size_t>(kMaxRequestBytes));
    bad = WireClient::FrameRequest(Produce(batch), 7, 1);
    REQUIRE(bad.size() > static_cast<size_t>(kMaxRequestBytes) + 4);
  }
  SECTION("a frame size above socket.request.max.bytes, body never sent") {
    bad = std::string("\x7f\xff\xff\xff", 4);
  }
  SECTION("a negative frame size") { bad = std::string("\x80\x00\x00\x00", 4); }
  SECTION("an unknown API key: unassigned") { bad = Frame(99, 0, ""); }
  SECTION("an unknown API key: the last entry of the handler table") {
    bad = Frame(127, 0, "");
  }
  SECTION("an unknown API key: past the handler table") {
    bad = Frame(128, 0, "");
  }
  SECTION("an unknown API key: negative") { bad = Frame(-1, 0, ""); }
  SECTION("an unknown API key: the largest int16") {
    bad = Frame(32767, 0, "");
  }
  SECTION("Metadata v99") { bad = Frame(3, 99, std::string(4, '\xff')); }
  SECTION("Produce v8, one past what is advertised") {
    std::string batch = Batch(3);
    bad = WireClient::FrameRequest(Produce(batch), 7, 1);
    util::StoreBigEndian(bad.data() + 6, int16_t{8});  // the api_version
  }
  SECTION("a negative version of a known API") {
    bad = Frame(3, -1, std::string(4, '\xff'));
  }
  SECTION("acks=0 Produce with a bad CRC (no response to carry the error)") {
    std::string batch = Batch(3);
    batch[batch.size() - 3] ^= 0x20;
    bad = WireClient::FrameRequest(Produce(batch, /*acks=*/0), 7, 1);
  }

  {
    WireClient client(server.port());
    REQUIRE(client.connected());
    // The server may close while a large request is still being sent.
    (void)client.SendRaw(bad);
    CHECK_OK(client.WaitForClose());
  }
  WireClient next(server.port());
  server.CheckLogUnchanged(next);
}

TEST_CASE(
    "ApiVersions v99 gets a v0 UNSUPPORTED_VERSION answer and the connection "
    "stays open",
    "[server][integration]") {
  BadInputServer server;
  WireClient client(server.port());
  // Header v2 (a client newer than us uses a flexible header) and a body
  // we cannot parse: neither is read.
  REQUIRE_OK(client.SendRaw(Frame(18, 99, "\x01\x02\x03", /*flexible=*/true)));
  auto response = client.ReadResponse<protocol::ApiVersionsResponse>(0, 7);
  REQUIRE_OK(response.status());
  CHECK(response->error_code == kUnsupportedVersion);
  bool lists_api_versions = false;
  for (const auto& api : response->api_keys) {
    if (api.api_key == 18) lists_api_versions = api.max_version == 3;
  }
  CHECK(lists_api_versions);
  server.CheckLogUnchanged(client);
}

}  // namespace
}  // namespace rill::server::testing
