#include "rill/server/server_config.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "status_test_util.h"

namespace rill {
namespace {

using Properties = std::map<std::string, std::string>;

ServerConfig Config(const Properties& properties) {
  absl::StatusOr<ServerConfig> config = ServerConfigFromProperties(properties);
  REQUIRE_OK(config);
  return *config;
}

// ErrorOf returns the message of the kInvalidArgument `properties` give.
std::string ErrorOf(const Properties& properties) {
  absl::StatusOr<ServerConfig> config = ServerConfigFromProperties(properties);
  REQUIRE_FALSE(config.ok());
  CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(config.status().message());
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// TempDir is a fresh directory under /tmp, removed with everything in it.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/rill-server-config-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    const std::string file = path + "/" + name;
    std::ofstream(file) << text;
    return file;
  }
};

TEST_CASE(
    "With no configuration the server listens on 127.0.0.1:9092 and "
    "stores data in ./data",
    "[server]") {
  const ServerConfig config = Config({});
  CHECK(config.server.listeners ==
        std::vector<std::string>{"PLAINTEXT://127.0.0.1:9092"});
  CHECK(config.server.advertised_listeners.empty());
  CHECK(config.broker.data_dir == "./data");
  CHECK(config.broker.node_id == NodeId(0));
  CHECK(config.broker.auto_create_topics_enable);
  CHECK(config.broker.log_defaults == LogConfig{});
  CHECK(config.ignored.empty());
}

TEST_CASE("Kafka's broker config names set the broker's and server's options",
          "[server]") {
  const ServerConfig c = Config({
      {"num.partitions", "6"},
      {"default.replication.factor", "1"},
      {"auto.create.topics.enable", "FALSE"},
      {"log.retention.bytes", "1073741824"},
      {"log.segment.bytes", "1048576"},
      {"log.index.size.max.bytes", "4096"},
      {"log.index.interval.bytes", "1024"},
      {"log.flush.interval.messages", "10000"},
      {"log.flush.interval.ms", "1000"},
      {"log.cleanup.policy", "compact,delete"},
      {"log.cleaner.delete.retention.ms", "5000"},
      {"log.cleaner.min.compaction.lag.ms", "7"},
      {"log.cleaner.min.cleanable.ratio", "0.25"},
      {"message.max.bytes", "2000000"},
      {"log.message.timestamp.type", "LogAppendTime"},
      {"log.retention.check.interval.ms", "300000"},
      {"offsets.topic.num.partitions", "3"},
      {"offsets.topic.segment.bytes", "1048576"},
      {"offsets.retention.minutes", "10080"},
      {"offsets.retention.check.interval.ms", "60000"},
      {"offset.metadata.max.bytes", "100"},
      {"group.initial.rebalance.delay.ms", "0"},
      {"group.min.session.timeout.ms", "1000"},
      {"group.max.session.timeout.ms", "60000"},
      {"group.max.size", "10"},
      {"producer.id.expiration.ms", "3600000"},
      {"num.network.threads", "4"},
      {"socket.request.max.bytes", "1048576"},
      {"connections.max.idle.ms", "30000"},
      {"queued.max.requests", "16"},
      {"compression.type", "producer"},
      {"min.insync.replicas", "2"},
  });
  CHECK(c.broker.num_partitions == 6);
  CHECK(c.broker.min_insync_replicas == 2);
  CHECK(c.broker.default_replication_factor == 1);
  CHECK_FALSE(c.broker.auto_create_topics_enable);
  const LogConfig& log = c.broker.log_defaults;
  CHECK(log.retention_bytes == 1073741824);
  CHECK(log.segment_bytes == 1048576);
  CHECK(log.segment_index_bytes == 4096);
  CHECK(log.index_interval_bytes == 1024);
  CHECK(log.flush_messages == 10000);
  CHECK(log.flush_ms == 1000);
  CHECK(log.cleanup_compact);
  CHECK(log.cleanup_delete);
  CHECK(log.delete_retention_ms == 5000);
  CHECK(log.min_compaction_lag_ms == 7);
  CHECK(log.min_cleanable_dirty_ratio == 0.25);
  CHECK(log.max_message_bytes == 2000000);
  CHECK(log.message_timestamp_type == record::TimestampType::kLogAppendTime);
  CHECK(c.broker.maintenance_interval_ms == 300000);
  CHECK(c.broker.offsets_topic_num_partitions == 3);
  CHECK(c.broker.offsets_topic_segment_bytes == 1048576);
  CHECK(c.broker.group.offsets_retention_ms == 10080LL * 60'000);
  CHECK(c.broker.group.offsets_retention_check_interval_ms == 60000);
  CHECK(c.broker.group.offset_metadata_max_bytes == 100);
  CHECK(c.broker.group.group_initial_rebalance_delay_ms == 0);
  CHECK(c.broker.group.group_min_session_timeout_ms == 1000);
  CHECK(c.broker.group.group_max_session_timeout_ms == 60000);
  CHECK(c.broker.group.group_max_size == 10);
  CHECK(c.broker.producer_id_expiration_ms == 3600000);
  CHECK(c.server.num_network_threads == 4);
  CHECK(c.server.socket_request_max_bytes == 1048576);
  CHECK(c.server.connections_max_idle_ms == 30000);
  CHECK(c.server.queued_max_requests == 16);
  CHECK(c.ignored.empty());
}

TEST_CASE("Log retention takes ms over minutes over hours, as Kafka does",
          "[server]") {
  CHECK(
      Config({{"log.retention.hours", "1"}}).broker.log_defaults.retention_ms ==
      3'600'000);
  CHECK(Config({{"log.retention.hours", "1"}, {"log.retention.minutes", "2"}})
            .broker.log_defaults.retention_ms == 120'000);
  CHECK(Config({{"log.retention.hours", "1"},
                {"log.retention.minutes", "2"},
                {"log.retention.ms", "3"}})
            .broker.log_defaults.retention_ms == 3);
  CHECK(Config({{"log.retention.hours", "-1"}})
            .broker.log_defaults.retention_ms == -1);
  // A value that loses to a more precise one must still parse.
  CHECK(Contains(
      ErrorOf({{"log.retention.hours", "week"}, {"log.retention.ms", "3"}}),
      "'week' for log.retention.hours"));
  CHECK(Contains(ErrorOf({{"log.retention.minutes", "-2"}}),
                 "log.retention.minutes"));
}

TEST_CASE("Segment rolling takes log.roll.ms over log.roll.hours", "[server]") {
  CHECK(Config({{"log.roll.hours", "2"}}).broker.log_defaults.segment_ms ==
        7'200'000);
  CHECK(Config({{"log.roll.hours", "2"}, {"log.roll.ms", "500"}})
            .broker.log_defaults.segment_ms == 500);
  CHECK(Contains(ErrorOf({{"log.roll.hours", "0"}}), "log.roll.hours"));
}

TEST_CASE("broker.id and node.id both name the broker, and must agree",
          "[server]") {
  CHECK(Config({{"broker.id", "3"}}).broker.node_id == NodeId(3));
  CHECK(Config({{"node.id", "4"}}).broker.node_id == NodeId(4));
  CHECK(Config({{"broker.id", "5"}, {"node.id", "5"}}).broker.node_id ==
        NodeId(5));
  const std::string error = ErrorOf({{"broker.id", "1"}, {"node.id", "2"}});
  CHECK(Contains(error, "broker.id=1"));
  CHECK(Contains(error, "node.id=2"));
  CHECK(Contains(ErrorOf({{"broker.id", "-1"}}), "'-1' for broker.id"));
}

TEST_CASE("log.dirs names the one data directory and wins over log.dir",
          "[server]") {
  CHECK(Config({{"log.dir", "/var/a"}}).broker.data_dir == "/var/a");
  CHECK(Config({{"log.dir", "/var/a"}, {"log.dirs", " /var/b "}})
            .broker.data_dir == "/var/b");
  CHECK(Config({{"log.dirs", "/var/b,"}}).broker.data_dir == "/var/b");
  const std::string two = ErrorOf({{"log.dirs", "/d1,/d2"}});
  CHECK(Contains(two, "'/d1,/d2' for log.dirs"));
  CHECK(Contains(two, "one directory"));
  CHECK(Contains(ErrorOf({{"log.dirs", " , "}}), "log.dirs"));
}

TEST_CASE("listeners are parsed, normalized and checked", "[server]") {
  const ServerConfig c =
      Config({{"listeners", "plaintext://:9092, 127.0.0.1:0,[::1]:9093"},
              {"advertised.listeners", "PLAINTEXT://kafka.example.com:9092"}});
  CHECK(c.server.listeners ==
        std::vector<std::string>{"PLAINTEXT://:9092", "PLAINTEXT://127.0.0.1:0",
                                 "PLAINTEXT://[::1]:9093"});
  CHECK(c.server.advertised_listeners ==
        std::vector<std::string>{"PLAINTEXT://kafka.example.com:9092"});

  const std::string bad = ErrorOf({{"listeners", "PLAINTEXT://host:99999"}});
  CHECK(Contains(bad, "listeners"));
  CHECK(Contains(bad, "PLAINTEXT://host:99999"));
  CHECK(Contains(ErrorOf({{"listeners", "SSL://:9093"}}), "not supported yet"));
  CHECK(Contains(ErrorOf({{"listeners", ""}}), "at least one listener"));
}

TEST_CASE("advertised.listeners need a host and port clients can reach",
          "[server]") {
  CHECK(Contains(ErrorOf({{"advertised.listeners", "PLAINTEXT://:9092"}}),
                 "advertised.listeners"));
  CHECK(Contains(ErrorOf({{"advertised.listeners", "PLAINTEXT://h:0"}}),
                 "PLAINTEXT://h:0"));
}

TEST_CASE(
    "A KRaft server.properties from Kafka loads, reporting what rill "
    "ignores",
    "[server]") {
  const ServerConfig c = Config({
      {"process.roles", "broker,controller"},
      {"node.id", "1"},
      {"controller.quorum.voters", "1@localhost:9093"},
      {"listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"},
      {"inter.broker.listener.name", "PLAINTEXT"},
      {"advertised.listeners", "PLAINTEXT://localhost:9092"},
      {"controller.listener.names", "CONTROLLER"},
      {"listener.security.protocol.map",
       "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL"},
      {"num.network.threads", "3"},
      {"num.io.threads", "8"},
      {"socket.send.buffer.bytes", "102400"},
      {"socket.receive.buffer.bytes", "102400"},
      {"socket.request.max.bytes", "104857600"},
      {"log.dirs", "/tmp/kraft-combined-logs"},
      {"num.partitions", "1"},
      {"num.recovery.threads.per.data.dir", "1"},
      {"offsets.topic.replication.factor", "1"},
      {"transaction.state.log.replication.factor", "1"},
      {"transaction.state.log.min.isr", "1"},
      {"log.retention.hours", "168"},
      {"log.segment.bytes", "1073741824"},
      {"log.retention.check.interval.ms", "300000"},
  });
  CHECK(c.broker.node_id == NodeId(1));
  CHECK(c.server.listeners == std::vector<std::string>{"PLAINTEXT://:9092"});
  CHECK(c.server.advertised_listeners ==
        std::vector<std::string>{"PLAINTEXT://localhost:9092"});
  CHECK(c.server.num_network_threads == 3);
  CHECK(c.broker.data_dir == "/tmp/kraft-combined-logs");
  CHECK(c.ignored == std::vector<std::string>{
                         "controller.listener.names",
                         "controller.quorum.voters",
                         "inter.broker.listener.name",
                         "listener.security.protocol.map",
                         "listeners: CONTROLLER://:9093",
                         "num.io.threads",
                         "num.recovery.threads.per.data.dir",
                         "offsets.topic.replication.factor",
                         "process.roles",
                         "socket.receive.buffer.bytes",
                         "socket.send.buffer.bytes",
                         "transaction.state.log.min.isr",
                         "transaction.state.log.replication.factor",
                     });
}

TEST_CASE("A ZooKeeper-era server.properties loads with zookeeper.* ignored",
          "[server]") {
  const ServerConfig c = Config({{"broker.id", "0"},
                                 {"zookeeper.connect", "localhost:2181"},
                                 {"zookeeper.connection.timeout.ms", "18000"},
                                 {"group.initial.rebalance.delay.ms", "0"}});
  CHECK(c.ignored ==
        std::vector<std::string>{"zookeeper.connect",
                                 "zookeeper.connection.timeout.ms"});
  CHECK(c.broker.group.group_initial_rebalance_delay_ms == 0);
}

TEST_CASE("A name that is not a Kafka broker config is an error naming it",
          "[server]") {
  CHECK(Contains(ErrorOf({{"num.partition", "3"}}), "'num.partition'"));
  CHECK(
      Contains(ErrorOf({{"log.retention.days", "7"}}), "'log.retention.days'"));
  // A family prefix alone is not a config.
  CHECK(Contains(ErrorOf({{"zookeeper.", "x"}}), "'zookeeper.'"));
}

TEST_CASE("Bad values are errors naming the config and the value", "[server]") {
  const std::pair<Properties, std::string> cases[] = {
      {{{"num.partitions", "0"}}, "'0' for num.partitions"},
      {{{"num.partitions", "many"}}, "'many' for num.partitions"},
      {{{"auto.create.topics.enable", "yes"}},
       "'yes' for auto.create.topics.enable"},
      {{{"log.segment.bytes", "10"}}, "'10' for log.segment.bytes"},
      {{{"log.cleanup.policy", "forever"}}, "'forever' for log.cleanup.policy"},
      {{{"log.cleaner.min.cleanable.ratio", "2"}},
       "'2' for log.cleaner.min.cleanable.ratio"},
      {{{"log.message.timestamp.type", "Now"}},
       "'Now' for log.message.timestamp.type"},
      {{{"message.max.bytes", "-5"}}, "'-5' for message.max.bytes"},
      {{{"default.replication.factor", "70000"}},
       "'70000' for default.replication.factor"},
      {{{"socket.request.max.bytes", "3000000000"}},
       "'3000000000' for socket.request.max.bytes"},
      {{{"offsets.retention.minutes", "0"}},
       "'0' for offsets.retention.minutes"},
      {{{"compression.type", "gzip"}}, "'gzip' for compression.type"},
      {{{"min.insync.replicas", "0"}}, "'0' for min.insync.replicas"},
      {{{"log.retention.check.interval.ms", "0"}},
       "'0' for log.retention.check.interval.ms"},
  };
  for (const auto& [properties, expected] : cases) {
    INFO(properties.begin()->first);
    CHECK(Contains(ErrorOf(properties), expected));
  }
}

TEST_CASE("The group session timeout range must not be empty", "[server]") {
  CHECK(Contains(ErrorOf({{"group.min.session.timeout.ms", "70000"},
                          {"group.max.session.timeout.ms", "60000"}}),
                 "exceeds group.max.session.timeout.ms"));
}

TEST_CASE(
    "LoadServerConfig reads a file and lets overrides replace its "
    "values",
    "[server]") {
  TempDir tmp;
  const std::string file = tmp.Write("server.properties",
                                     "# a broker\n"
                                     "listeners=PLAINTEXT://127.0.0.1:19092\n"
                                     "log.dirs=/var/lib/rill\n"
                                     "num.partitions=3\n");
  ASSIGN_OR_REQUIRE(ServerConfig loaded, LoadServerConfig(file));
  CHECK(loaded.server.listeners ==
        std::vector<std::string>{"PLAINTEXT://127.0.0.1:19092"});
  CHECK(loaded.broker.data_dir == "/var/lib/rill");
  CHECK(loaded.broker.num_partitions == 3);

  ASSIGN_OR_REQUIRE(
      ServerConfig overridden,
      LoadServerConfig(file, {{"num.partitions", "8"}, {"broker.id", "2"}}));
  CHECK(overridden.broker.num_partitions == 8);
  CHECK(overridden.broker.node_id == NodeId(2));
  CHECK(overridden.broker.data_dir == "/var/lib/rill");

  ASSIGN_OR_REQUIRE(ServerConfig no_file,
                    LoadServerConfig("", {{"log.dirs", "/srv"}}));
  CHECK(no_file.broker.data_dir == "/srv");
}

TEST_CASE("LoadServerConfig errors name the file", "[server]") {
  TempDir tmp;
  const std::string missing = tmp.path + "/missing.properties";
  absl::StatusOr<ServerConfig> not_there = LoadServerConfig(missing);
  REQUIRE_FALSE(not_there.ok());
  CHECK(not_there.status().code() == absl::StatusCode::kNotFound);
  CHECK(Contains(std::string(not_there.status().message()), missing));

  const std::string broken =
      tmp.Write("broken.properties", "num.partitions=1\nlisteners\n");
  absl::StatusOr<ServerConfig> unreadable = LoadServerConfig(broken);
  REQUIRE_FALSE(unreadable.ok());
  const std::string message(unreadable.status().message());
  CHECK(Contains(message, broken));
  CHECK(Contains(message, "line 2"));
}

}  // namespace
}  // namespace rill
