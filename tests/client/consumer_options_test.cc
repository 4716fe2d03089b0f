// ConsumerOptions: Kafka's property names, and what Consumer::Create
// refuses.
#include <catch2/catch.hpp>

#include "client_test_util.h"
#include "rill/client/consumer.h"
#include "status_test_util.h"

namespace rill {
namespace {

TEST_CASE("FromProperties reads Kafka's consumer config names",
          "[client][consumer]") {
  ASSIGN_OR_REQUIRE(
      ConsumerOptions options,
      ConsumerOptions::FromProperties({
          {"group.id", "billing"},
          {"group.instance.id", "billing-1"},
          {"client.id", "c1"},
          {"auto.offset.reset", "earliest"},
          {"enable.auto.commit", "FALSE"},
          {"auto.commit.interval.ms", "1000"},
          {"session.timeout.ms", "10000"},
          {"heartbeat.interval.ms", "2000"},
          {"max.poll.interval.ms", "60000"},
          {"partition.assignment.strategy",
           "org.apache.kafka.clients.consumer.CooperativeStickyAssignor, "
           "roundrobin,org.apache.kafka.clients.consumer.RangeAssignor"},
          {"fetch.min.bytes", "10"},
          {"fetch.max.wait.ms", "100"},
          {"fetch.max.bytes", "1000000"},
          {"max.partition.fetch.bytes", "50000"},
          {"max.poll.records", "42"},
          {"isolation.level", "read_committed"},
          {"check.crcs", "false"},
          {"metadata.max.age.ms", "1000"},
      }));
  CHECK(options.group_id == "billing");
  CHECK(options.group_instance_id == std::optional<std::string>("billing-1"));
  CHECK(options.client_id == "c1");
  CHECK(options.auto_offset_reset == AutoOffsetReset::kEarliest);
  CHECK_FALSE(options.enable_auto_commit);
  CHECK(options.auto_commit_interval_ms == 1000);
  CHECK(options.session_timeout_ms == 10000);
  CHECK(options.heartbeat_interval_ms == 2000);
  CHECK(options.max_poll_interval_ms == 60000);
  CHECK(options.partition_assignment_strategy ==
        std::vector<std::string>{"cooperative-sticky", "roundrobin", "range"});
  CHECK(options.fetch_min_bytes == 10);
  CHECK(options.fetch_max_wait_ms == 100);
  CHECK(options.fetch_max_bytes == 1000000);
  CHECK(options.max_partition_fetch_bytes == 50000);
  CHECK(options.max_poll_records == 42);
  CHECK(options.isolation_level == IsolationLevel::kReadCommitted);
  CHECK_FALSE(options.check_crcs);
  CHECK(options.metadata_max_age_ms == 1000);
}

TEST_CASE("FromProperties rejects bad values and unknown names, naming them",
          "[client][consumer]") {
  struct Case {
    std::string name;
    std::string value;
  };
  for (const Case& c : std::vector<Case>{
           {"auto.offset.reset", "smallest"},
           {"enable.auto.commit", "yes"},
           {"max.poll.records", "0"},
           {"session.timeout.ms", "ten"},
           {"fetch.max.bytes", "99999999999"},
           {"isolation.level", "serializable"},
           {"partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.StickyAssignor"},
           {"partition.assignment.strategy", " , "},
           {"bootstrap.servers", "localhost:9092"},
       }) {
    INFO(c.name << "=" << c.value);
    absl::StatusOr<ConsumerOptions> options =
        ConsumerOptions::FromProperties({{c.name, c.value}});
    REQUIRE_FALSE(options.ok());
    CHECK(options.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(options.status().message().find(c.name) != absl::string_view::npos);
  }
}

TEST_CASE("Create refuses options no Kafka consumer would start with",
          "[client][consumer]") {
  test::ClientEnv env;
  auto create = [&](ConsumerOptions options) {
    return Consumer::Create(*env.broker, std::move(options)).status();
  };
  CHECK(create({.partition_assignment_strategy = {"sticky"}}).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(create({.partition_assignment_strategy = {}}).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(create({.session_timeout_ms = 3000, .heartbeat_interval_ms = 3000})
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(create({.max_poll_records = 0}).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(create({.group_instance_id = ""}).code() ==
        absl::StatusCode::kInvalidArgument);
  // Kafka's class names are accepted here too.
  CHECK_OK(
      create({.partition_assignment_strategy = {
                  "org.apache.kafka.clients.consumer.RoundRobinAssignor"}}));
}

}  // namespace
}  // namespace rill
