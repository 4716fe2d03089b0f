// Tests of LogConfig: Kafka's defaults, parsing Kafka-named topic
// properties, rejecting what Kafka would reject, and the round trip through
// ToProperties.
#include "rill/log/log_config.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "log/log_unit_test_util.h"

namespace rill {
namespace {

using record::TimestampType;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

TEST_CASE("A default LogConfig holds Kafka's topic defaults", "[log]") {
  const LogConfig c;
  CHECK(c.segment_bytes == 1073741824);
  CHECK(c.segment_ms == 604800000);
  CHECK(c.segment_index_bytes == 10485760);
  CHECK(c.index_interval_bytes == 4096);
  CHECK(c.retention_ms == 604800000);
  CHECK(c.retention_bytes == -1);
  CHECK(c.flush_messages == kInt64Max);
  CHECK(c.flush_ms == kInt64Max);
  CHECK(c.cleanup_delete);
  CHECK_FALSE(c.cleanup_compact);
  CHECK(c.delete_retention_ms == 86400000);
  CHECK(c.min_compaction_lag_ms == 0);
  CHECK(c.min_cleanable_dirty_ratio == 0.5);
  CHECK(c.max_message_bytes == 1048588);
  CHECK(c.message_timestamp_type == TimestampType::kCreateTime);
  CHECK_OK(c.Validate());
}

TEST_CASE("FromProperties with no properties gives the defaults", "[log]") {
  ASSIGN_OR_REQUIRE(LogConfig c, LogConfig::FromProperties({}));
  CHECK(c == LogConfig{});
}

// PropertyCase is one property, a non-default value, and the field it sets.
struct PropertyCase {
  std::string name;
  std::string value;
  std::function<bool(const LogConfig&)> applied;
};

TEST_CASE("FromProperties parses every Kafka topic property into its field",
          "[log]") {
  const std::vector<PropertyCase> cases = {
      {"segment.bytes", "1048576",
       [](const LogConfig& c) { return c.segment_bytes == 1048576; }},
      {"segment.ms", "60000",
       [](const LogConfig& c) { return c.segment_ms == 60000; }},
      {"segment.index.bytes", "4096",
       [](const LogConfig& c) { return c.segment_index_bytes == 4096; }},
      {"index.interval.bytes", "128",
       [](const LogConfig& c) { return c.index_interval_bytes == 128; }},
      {"retention.ms", "-1",
       [](const LogConfig& c) { return c.retention_ms == -1; }},
      {"retention.bytes", "5000000000",
       [](const LogConfig& c) { return c.retention_bytes == 5000000000; }},
      {"flush.messages", "10",
       [](const LogConfig& c) { return c.flush_messages == 10; }},
      {"flush.ms", "1000",
       [](const LogConfig& c) { return c.flush_ms == 1000; }},
      {"delete.retention.ms", "3600000",
       [](const LogConfig& c) { return c.delete_retention_ms == 3600000; }},
      {"min.compaction.lag.ms", "5000",
       [](const LogConfig& c) { return c.min_compaction_lag_ms == 5000; }},
      {"min.cleanable.dirty.ratio", "0.25",
       [](const LogConfig& c) { return c.min_cleanable_dirty_ratio == 0.25; }},
      {"max.message.bytes", "2000000",
       [](const LogConfig& c) { return c.max_message_bytes == 2000000; }},
      {"message.timestamp.type", "LogAppendTime",
       [](const LogConfig& c) {
         return c.message_timestamp_type == TimestampType::kLogAppendTime;
       }},
      {"cleanup.policy", "compact",
       [](const LogConfig& c) {
         return c.cleanup_compact && !c.cleanup_delete;
       }},
  };
  // Every property ToProperties names is covered here.
  std::map<std::string, std::string> names = LogConfig{}.ToProperties();
  REQUIRE(names.size() == cases.size());
  for (const PropertyCase& pc : cases) {
    INFO(pc.name << "=" << pc.value);
    CHECK(names.count(pc.name) == 1);
    CHECK_FALSE(pc.applied(LogConfig{}));  // the value is not the default
    auto parsed = LogConfig::FromProperties({{pc.name, pc.value}});
    REQUIRE_OK(parsed);
    CHECK(pc.applied(*parsed));
    // Nothing else changed.
    auto got = parsed->ToProperties();
    for (const auto& [name, value] : names) {
      if (name != pc.name) CHECK(got[name] == value);
    }
  }
}

TEST_CASE("FromProperties accepts every cleanup.policy Kafka accepts",
          "[log]") {
  struct Policy {
    std::string value;
    bool compact;
    bool del;
  };
  const std::vector<Policy> policies = {
      {"delete", false, true},         {"compact", true, false},
      {"compact,delete", true, true},  {"delete,compact", true, true},
      {"compact, delete", true, true},
  };
  for (const Policy& p : policies) {
    INFO("cleanup.policy=" << p.value);
    // Start from the opposite of the expectation so every flag must be set.
    LogConfig base;
    base.cleanup_compact = !p.compact;
    base.cleanup_delete = !p.del;
    auto parsed =
        LogConfig::FromProperties({{"cleanup.policy", p.value}}, base);
    REQUIRE_OK(parsed);
    CHECK(parsed->cleanup_compact == p.compact);
    CHECK(parsed->cleanup_delete == p.del);
  }
}

TEST_CASE("FromProperties accepts both message.timestamp.type values",
          "[log]") {
  LogConfig append_time;
  append_time.message_timestamp_type = TimestampType::kLogAppendTime;
  ASSIGN_OR_REQUIRE(
      LogConfig create,
      LogConfig::FromProperties({{"message.timestamp.type", "CreateTime"}},
                                append_time));
  CHECK(create.message_timestamp_type == TimestampType::kCreateTime);
  ASSIGN_OR_REQUIRE(
      LogConfig append,
      LogConfig::FromProperties({{"message.timestamp.type", "LogAppendTime"}}));
  CHECK(append.message_timestamp_type == TimestampType::kLogAppendTime);
}

TEST_CASE("FromProperties overlays properties on the base config", "[log]") {
  LogConfig base;
  base.segment_bytes = 4096;
  base.retention_ms = 1234;
  base.cleanup_compact = true;
  ASSIGN_OR_REQUIRE(LogConfig c,
                    LogConfig::FromProperties({{"retention.ms", "99"}}, base));
  CHECK(c.retention_ms == 99);
  CHECK(c.segment_bytes == 4096);
  CHECK(c.cleanup_compact);
  CHECK(c.cleanup_delete);
}

TEST_CASE("FromProperties rejects an unknown property, naming it", "[log]") {
  for (const std::string name :
       {"retention.hours", "segment.byte", "Segment.Bytes", "", "log.dirs"}) {
    INFO("name '" << name << "'");
    auto parsed = LogConfig::FromProperties({{name, "1"}});
    REQUIRE(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(parsed.status().message()),
               Catch::Contains("'" + name + "'"));
  }
}

TEST_CASE("FromProperties rejects invalid values, naming the property",
          "[log]") {
  const std::vector<std::pair<std::string, std::string>> invalid = {
      {"segment.bytes", "abc"},
      {"segment.bytes", ""},
      {"segment.bytes", "13"},
      {"segment.bytes", "2147483648"},
      {"segment.bytes", "1.5"},
      {"segment.ms", "0"},
      {"segment.ms", "99999999999999999999"},
      {"segment.index.bytes", "3"},
      {"index.interval.bytes", "-1"},
      {"retention.ms", "-2"},
      {"retention.ms", "forever"},
      {"retention.bytes", "-2"},
      {"flush.messages", "0"},
      {"flush.ms", "-1"},
      {"delete.retention.ms", "-1"},
      {"min.compaction.lag.ms", "-5"},
      {"min.cleanable.dirty.ratio", "1.5"},
      {"min.cleanable.dirty.ratio", "-0.1"},
      {"min.cleanable.dirty.ratio", "half"},
      {"max.message.bytes", "-1"},
      {"max.message.bytes", "1e6"},
      {"message.timestamp.type", "createtime"},
      {"message.timestamp.type", "LogAppendTimes"},
      {"message.timestamp.type", ""},
      {"cleanup.policy", ""},
      {"cleanup.policy", "none"},
      {"cleanup.policy", "compact,"},
      {"cleanup.policy", "deletes"},
  };
  for (const auto& [name, value] : invalid) {
    INFO(name << "='" << value << "'");
    auto parsed = LogConfig::FromProperties({{name, value}});
    REQUIRE(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(parsed.status().message()), Catch::Contains(name));
  }
}

TEST_CASE("FromProperties rejects a valid property next to an invalid one",
          "[log]") {
  auto parsed = LogConfig::FromProperties(
      {{"retention.ms", "1000"}, {"segment.bytes", "tiny"}});
  REQUIRE(parsed.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(parsed.status().message()),
             Catch::Contains("segment.bytes"));
}

TEST_CASE("Validate rejects out-of-range fields and an empty cleanup policy",
          "[log]") {
  std::vector<std::pair<std::string, std::function<void(LogConfig&)>>> bad = {
      {"segment.bytes", [](LogConfig& c) { c.segment_bytes = 13; }},
      {"segment.ms", [](LogConfig& c) { c.segment_ms = 0; }},
      {"segment.index.bytes", [](LogConfig& c) { c.segment_index_bytes = 3; }},
      {"index.interval.bytes",
       [](LogConfig& c) { c.index_interval_bytes = -1; }},
      {"retention.ms", [](LogConfig& c) { c.retention_ms = -2; }},
      {"retention.bytes", [](LogConfig& c) { c.retention_bytes = -2; }},
      {"flush.messages", [](LogConfig& c) { c.flush_messages = 0; }},
      {"flush.ms", [](LogConfig& c) { c.flush_ms = -1; }},
      {"cleanup.policy",
       [](LogConfig& c) { c.cleanup_delete = c.cleanup_compact = false; }},
      {"delete.retention.ms", [](LogConfig& c) { c.delete_retention_ms = -1; }},
      {"min.compaction.lag.ms",
       [](LogConfig& c) { c.min_compaction_lag_ms = -1; }},
      {"min.cleanable.dirty.ratio",
       [](LogConfig& c) { c.min_cleanable_dirty_ratio = 1.01; }},
      {"max.message.bytes", [](LogConfig& c) { c.max_message_bytes = -1; }},
  };
  for (auto& [name, breaker] : bad) {
    INFO(name);
    LogConfig c;
    breaker(c);
    absl::Status s = c.Validate();
    REQUIRE(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(s.message()), Catch::Contains(name));
  }
}

TEST_CASE("ToProperties names every field with Kafka's names and values",
          "[log]") {
  const std::map<std::string, std::string> expected = {
      {"segment.bytes", "1073741824"},
      {"segment.ms", "604800000"},
      {"segment.index.bytes", "10485760"},
      {"index.interval.bytes", "4096"},
      {"retention.ms", "604800000"},
      {"retention.bytes", "-1"},
      {"flush.messages", "9223372036854775807"},
      {"flush.ms", "9223372036854775807"},
      {"cleanup.policy", "delete"},
      {"delete.retention.ms", "86400000"},
      {"min.compaction.lag.ms", "0"},
      {"min.cleanable.dirty.ratio", "0.5"},
      {"max.message.bytes", "1048588"},
      {"message.timestamp.type", "CreateTime"},
  };
  CHECK(LogConfig{}.ToProperties() == expected);
}

TEST_CASE("ToProperties then FromProperties gives back the same config",
          "[log]") {
  LogConfig c;
  c.segment_bytes = 65536;
  c.segment_ms = 3600000;
  c.segment_index_bytes = 1024;
  c.index_interval_bytes = 0;
  c.retention_ms = -1;
  c.retention_bytes = 1 << 20;
  c.flush_messages = 1;
  c.flush_ms = 0;
  c.delete_retention_ms = 0;
  c.min_compaction_lag_ms = 42;
  c.min_cleanable_dirty_ratio = 0.1;
  c.max_message_bytes = 0;
  c.message_timestamp_type = TimestampType::kLogAppendTime;
  for (auto [compact, del] : {std::pair{true, false}, std::pair{false, true},
                              std::pair{true, true}}) {
    INFO("compact=" << compact << " delete=" << del);
    c.cleanup_compact = compact;
    c.cleanup_delete = del;
    ASSIGN_OR_REQUIRE(LogConfig back,
                      LogConfig::FromProperties(c.ToProperties()));
    CHECK(back == c);
  }
  // And onto a base that differs in every field, so nothing comes from it.
  ASSIGN_OR_REQUIRE(LogConfig back,
                    LogConfig::FromProperties(LogConfig{}.ToProperties(), c));
  CHECK(back == LogConfig{});
}

}  // namespace
}  // namespace rill
