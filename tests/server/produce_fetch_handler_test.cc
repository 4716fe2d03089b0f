// Produce, Fetch and Metadata over the wire.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "protocol/messages/fetch.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/produce.h"
#include "rill/error.h"
#include "rill/record/record_batch.h"
#include "server/error_codes.h"
#include "server_test_util.h"
#include "status_test_util.h"
#include "wire_client.h"

namespace rill::server::testing {
namespace {

using protocol::FetchRequest;
using protocol::FetchResponse;
using protocol::MetadataRequest;
using protocol::MetadataResponse;
using protocol::ProduceRequest;
using protocol::ProduceResponse;
using record::BatchIterator;
using record::Compression;
using record::RecordBatchBuilder;

std::string Batch(std::vector<std::string> values) {
  RecordBatchBuilder builder;
  for (const std::string& v : values) {
    builder.Append({.timestamp_ms = 1'700'000'000'000, .key = {}, .value = v});
  }
  auto built = builder.Build();
  REQUIRE_OK(built.status());
  return *std::move(built);
}

// ProduceTo builds a one-partition Produce request; `batch` must outlive
// the call that encodes it.
ProduceRequest ProduceTo(const std::string& topic, std::string& batch,
                         int16_t acks = 1) {
  ProduceRequest request;
  request.acks = acks;
  request.timeout_ms = 5000;
  auto& t = request.topic_data.emplace_back();
  t.name = topic;
  auto& p = t.partition_data.emplace_back();
  p.index = 0;
  p.records.view = std::span<char>(batch);
  return request;
}

FetchRequest FetchFrom(const std::string& topic, int64_t offset,
                       int32_t max_wait_ms) {
  FetchRequest request;
  request.max_wait_ms = max_wait_ms;
  request.min_bytes = 1;
  request.max_bytes = 1 << 20;
  auto& t = request.topics.emplace_back();
  t.topic = topic;
  auto& p = t.partitions.emplace_back();
  p.partition = 0;
  p.fetch_offset = offset;
  p.partition_max_bytes = 1 << 20;
  return request;
}

// FetchedBytes flattens a fetch response's records (decoded from the
// wire, they are a view into the response frame).
std::string FetchedBytes(const FetchResponse& response) {
  const auto& records = response.responses.at(0).partitions.at(0).records;
  return std::string(records.view.data(), records.view.size());
}

TEST_CASE(
    "a produced batch comes back from Fetch byte for byte, "
    "from memory and from files",
    "[server][integration]") {
  std::string data_dir;
  // Small slices of files are copied into the response; larger ones go out
  // with sendfile(2).
  std::string value = "v";
  auto on_disk = [&data_dir] {
    char pattern[] = "/tmp/rill-server-test-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    data_dir = pattern;
  };
  SECTION("in memory") {}
  SECTION("on disk, small: copied") { on_disk(); }
  SECTION("on disk, 120 KB: sent with sendfile") {
    on_disk();
    value = std::string(40'000, 'v');
  }
  {
    ServedBroker served({}, data_dir);
    REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
    WireClient client(served.port());
    std::string first = Batch({value + "a", value + "b", value + "c"});
    std::string second = Batch({value + "d"});
    for (int16_t version : {3, 7}) {
      std::string& batch = version == 3 ? first : second;
      auto produced =
          client.RoundTrip<ProduceResponse>(ProduceTo("t", batch), version);
      REQUIRE_OK(produced.status());
      const auto& answer = produced->responses.at(0).partition_responses.at(0);
      CHECK(answer.error_code == 0);
      CHECK(answer.base_offset == (version == 3 ? 0 : 3));
    }
    for (int16_t version : {4, 11}) {
      CAPTURE(version);
      auto fetched =
          client.RoundTrip<FetchResponse>(FetchFrom("t", 0, 0), version);
      REQUIRE_OK(fetched.status());
      const auto& p = fetched->responses.at(0).partitions.at(0);
      CHECK(p.error_code == 0);
      CHECK(p.high_watermark == 4);
      std::string bytes = FetchedBytes(*fetched);
      std::vector<int64_t> base_offsets;
      BatchIterator it(bytes);
      while (it.Next()) {
        CHECK_OK(it.batch().VerifyCrc());
        base_offsets.push_back(it.batch().header().base_offset);
      }
      CHECK_OK(it.status());
      CHECK(base_offsets == std::vector<int64_t>{0, 3});
    }
  }
  if (!data_dir.empty()) std::filesystem::remove_all(data_dir);
}

TEST_CASE("a long-poll fetch at the log end is answered by the next append",
          "[server][integration]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient consumer(served.port());
  WireClient producer(served.port());
  // A 60 s wait: only the append can answer it within the read timeout.
  REQUIRE_OK(consumer.SendRequest(FetchFrom("t", 0, 60'000), 11, 7));
  std::string batch = Batch({"wake"});
  REQUIRE_OK(
      producer.RoundTrip<ProduceResponse>(ProduceTo("t", batch), 7).status());
  auto fetched = consumer.ReadResponse<FetchResponse>(11, 7);
  REQUIRE_OK(fetched.status());
  CHECK(fetched->responses.at(0).partitions.at(0).high_watermark == 1);
  CHECK_FALSE(FetchedBytes(*fetched).empty());
}

TEST_CASE("a fetch with max_wait 0 at the log end is answered at once, empty",
          "[server][integration]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served.port());
  auto fetched = client.RoundTrip<FetchResponse>(FetchFrom("t", 0, 0), 11);
  REQUIRE_OK(fetched.status());
  CHECK(FetchedBytes(*fetched).empty());
  CHECK(fetched->responses.at(0).partitions.at(0).error_code == 0);
}

TEST_CASE("fetch errors: unknown topic, offset out of range, fetch session",
          "[server][integration]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served.port());
  auto unknown = client.RoundTrip<FetchResponse>(FetchFrom("nope", 0, 0), 11);
  REQUIRE_OK(unknown.status());
  CHECK(unknown->responses.at(0).partitions.at(0).error_code ==
        KafkaErrorCodeFor(ErrorReason::kUnknownTopicOrPartition));
  auto beyond = client.RoundTrip<FetchResponse>(FetchFrom("t", 5, 0), 11);
  REQUIRE_OK(beyond.status());
  CHECK(beyond->responses.at(0).partitions.at(0).error_code ==
        KafkaErrorCodeFor(ErrorReason::kOffsetOutOfRange));
  FetchRequest with_session = FetchFrom("t", 0, 0);
  with_session.session_id = 12;
  auto session = client.RoundTrip<FetchResponse>(with_session, 11);
  REQUIRE_OK(session.status());
  CHECK(session->error_code == kErrorFetchSessionIdNotFound);
}

TEST_CASE("acks=0 produce gets no answer, and later answers stay in order",
          "[server][integration]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served.port());
  std::string batch = Batch({"x"});
  REQUIRE_OK(client.SendRequest(ProduceTo("t", batch, 0), 7, 1));
  auto metadata = client.RoundTrip<MetadataResponse>(MetadataRequest{}, 1);
  REQUIRE_OK(metadata.status());  // correlation id 1 would fail this
  auto offsets = served.broker->GetPartitionOffsets({"t", PartitionId(0)});
  REQUIRE_OK(offsets.status());
  CHECK(offsets->high_watermark == Offset(1));
}

TEST_CASE("an acks=0 produce that fails closes the connection",
          "[server][integration]") {
  ServedBroker served;
  WireClient client(served.port());
  std::string batch = Batch({"x"});
  REQUIRE_OK(client.SendRequest(ProduceTo("missing", batch, 0), 7, 1));
  CHECK_OK(client.WaitForClose());
}

TEST_CASE("produce errors come back per partition", "[server][integration]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "t", .num_partitions = 1}));
  WireClient client(served.port());
  std::string batch = Batch({"x"});
  SECTION("unknown topic") {
    auto r = client.RoundTrip<ProduceResponse>(ProduceTo("missing", batch), 7);
    REQUIRE_OK(r.status());
    CHECK(r->responses.at(0).partition_responses.at(0).error_code ==
          KafkaErrorCodeFor(ErrorReason::kUnknownTopicOrPartition));
  }
  SECTION("invalid acks") {
    auto r = client.RoundTrip<ProduceResponse>(ProduceTo("t", batch, 2), 7);
    REQUIRE_OK(r.status());
    CHECK(r->responses.at(0).partition_responses.at(0).error_code ==
          KafkaErrorCodeFor(ErrorReason::kInvalidRequiredAcks));
  }
  SECTION("zstd below Produce v7") {
    RecordBatchBuilder builder({.compression = Compression::kZstd});
    builder.Append({.timestamp_ms = 1, .key = {}, .value = "z"});
    auto built = builder.Build();
    REQUIRE_OK(built.status());
    std::string zstd = *built;
    auto r = client.RoundTrip<ProduceResponse>(ProduceTo("t", zstd), 6);
    REQUIRE_OK(r.status());
    CHECK(r->responses.at(0).partition_responses.at(0).error_code ==
          KafkaErrorCodeFor(ErrorReason::kUnsupportedCompressionType));
  }
  auto offsets = served.broker->GetPartitionOffsets({"t", PartitionId(0)});
  REQUIRE_OK(offsets.status());
  CHECK(offsets->high_watermark == Offset(0));
}

TEST_CASE(
    "Metadata reports this broker as controller, the cluster id, "
    "and partitions with leader and ISR",
    "[server][integration]") {
  ServedBroker served;
  REQUIRE_OK(served.broker->CreateTopic({.name = "a", .num_partitions = 2}));
  WireClient client(served.port());
  for (int16_t version : {0, 1, 6}) {
    CAPTURE(version);
    MetadataRequest request;
    if (version > 0) request.topics = std::nullopt;  // all topics
    auto r = client.RoundTrip<MetadataResponse>(request, version);
    REQUIRE_OK(r.status());
    REQUIRE(r->brokers.size() == 1);
    CHECK(r->brokers[0].port == served.port());
    CHECK(r->brokers[0].host == "127.0.0.1");
    if (version >= 1) CHECK(r->controller_id == 0);
    if (version >= 2) CHECK(r->cluster_id == served.broker->cluster_id());
    REQUIRE(r->topics.size() == 1);
    CHECK(r->topics[0].name == "a");
    REQUIRE(r->topics[0].partitions.size() == 2);
    CHECK(r->topics[0].partitions[1].leader_id == 0);
    CHECK(r->topics[0].partitions[1].isr_nodes == std::vector<int32_t>{0});
  }
  MetadataRequest one;
  one.topics = std::vector<MetadataRequest::Topic>{{.name = "missing"}};
  auto missing = client.RoundTrip<MetadataResponse>(one, 4);
  REQUIRE_OK(missing.status());
  CHECK(missing->topics.at(0).error_code ==
        KafkaErrorCodeFor(ErrorReason::kUnknownTopicOrPartition));
  MetadataRequest none;
  none.topics = std::vector<MetadataRequest::Topic>{};
  auto empty = client.RoundTrip<MetadataResponse>(none, 4);
  REQUIRE_OK(empty.status());
  CHECK(empty->topics.empty());
}

TEST_CASE("Metadata creates unknown topics when the broker and client allow",
          "[server][integration]") {
  ServedBroker served({}, "", /*auto_create_topics=*/true);
  WireClient client(served.port());
  MetadataRequest request;
  request.topics = std::vector<MetadataRequest::Topic>{{.name = "fresh"}};
  request.allow_auto_topic_creation = false;
  auto refused = client.RoundTrip<MetadataResponse>(request, 4);
  REQUIRE_OK(refused.status());
  CHECK(refused->topics.at(0).error_code ==
        KafkaErrorCodeFor(ErrorReason::kUnknownTopicOrPartition));
  request.allow_auto_topic_creation = true;
  auto created = client.RoundTrip<MetadataResponse>(request, 4);
  REQUIRE_OK(created.status());
  CHECK(created->topics.at(0).error_code == 0);
  CHECK(created->topics.at(0).partitions.size() == 1);
  CHECK_OK(served.broker->DescribeTopic("fresh").status());
}

}  // namespace
}  // namespace rill::server::testing

namespace rill::server::testing {
namespace {

TEST_CASE("Metadata advertises advertised.listeners, not the bound address",
          "[server][integration]") {
  ServedBroker served(
      {.listeners = {"PLAINTEXT://127.0.0.1:0"},
       .advertised_listeners = {"PLAINTEXT://kafka.example.com:19092"}});
  WireClient client(served.port());
  auto r = client.RoundTrip<protocol::MetadataResponse>(
      protocol::MetadataRequest{}, 1);
  REQUIRE_OK(r.status());
  REQUIRE(r->brokers.size() == 1);
  CHECK(r->brokers[0].host == "kafka.example.com");
  CHECK(r->brokers[0].port == 19092);
}

}  // namespace
}  // namespace rill::server::testing
