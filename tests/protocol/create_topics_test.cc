#include "protocol/messages/create_topics.h"

#include <catch2/catch.hpp>

#include "expected_bytes.h"
#include "message_checks.h"
#include "round_trip.h"

namespace rill::protocol {
namespace {

using testing::CheckAllVersions;
using testing::ExpectedBytes;

CreateTopicsRequest FullRequest() {
  CreateTopicsRequest r;
  CreateTopicsRequest::CreatableTopic assigned;
  assigned.name = "orders";
  assigned.num_partitions = -1;
  assigned.replication_factor = -1;
  assigned.assignments = {{0, {1, 2}}, {1, {2, 3}}};
  assigned.configs = {{"retention.ms", "3600000"},
                      {"cleanup.policy", std::nullopt}};
  CreateTopicsRequest::CreatableTopic counted;
  counted.name = "payments";
  counted.num_partitions = 6;
  counted.replication_factor = 1;
  r.topics = {assigned, counted};
  r.timeout_ms = 30000;
  r.validate_only = true;
  return r;
}

CreateTopicsResponse FullResponse() {
  CreateTopicsResponse r;
  r.throttle_time_ms = 2;
  r.topics = {{"orders", 0, std::nullopt},
              {"payments", 36, "Topic 'payments' already exists."}};
  return r;
}

TEST_CASE("CreateTopics request and response round-trip at every version",
          "[protocol]") {
  CheckAllVersions<CreateTopicsRequest>({FullRequest()});
  CheckAllVersions<CreateTopicsResponse>({FullResponse()});
}

TEST_CASE("CreateTopics requests by version", "[protocol]") {
  CreateTopicsRequest r;
  CreateTopicsRequest::CreatableTopic t;
  t.name = "t";
  t.num_partitions = 3;
  t.replication_factor = 1;
  t.assignments = {{0, {1}}};
  t.configs = {{"k", "v"}, {"n", std::nullopt}};
  r.topics = {t};
  r.timeout_ms = 5000;
  r.validate_only = true;
  ExpectedBytes v0;
  v0.Array(1).Str("t").I32(3).I16(1).Array(1).I32(0).Array(1).I32(1);
  v0.Array(2).Str("k").Str("v").Str("n").NullStr().I32(5000);
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v1;
  v1.Array(1).Str("t").I32(3).I16(1).Array(1).I32(0).Array(1).I32(1);
  v1.Array(2).Str("k").Str("v").Str("n").NullStr().I32(5000).Bool(true);
  CHECK(EncodeToString(r, 1) == v1.bytes());
  CHECK(EncodeToString(r, 4) == v1.bytes());
}

TEST_CASE("CreateTopicsRequest's timeout defaults to Kafka's 60 s",
          "[protocol]") {
  CHECK(CreateTopicsRequest{}.timeout_ms == 60000);
}

TEST_CASE("CreateTopics responses gain messages in v1 and throttle in v2",
          "[protocol]") {
  CreateTopicsResponse r;
  r.throttle_time_ms = 2;
  r.topics = {{"t", 36, "exists"}, {"u", 0, std::nullopt}};
  ExpectedBytes v0;
  v0.Array(2).Str("t").I16(36).Str("u").I16(0);
  CHECK(EncodeToString(r, 0) == v0.bytes());
  ExpectedBytes v1;
  v1.Array(2).Str("t").I16(36).Str("exists").Str("u").I16(0).NullStr();
  CHECK(EncodeToString(r, 1) == v1.bytes());
  ExpectedBytes v2;
  v2.I32(2).Array(2).Str("t").I16(36).Str("exists").Str("u").I16(0);
  v2.NullStr();
  CHECK(EncodeToString(r, 2) == v2.bytes());
  CHECK(EncodeToString(r, 4) == v2.bytes());
}

}  // namespace
}  // namespace rill::protocol
