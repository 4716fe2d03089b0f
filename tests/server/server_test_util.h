// A broker in memory behind a KafkaServer on a loopback port, for tests.
#ifndef RILL_TESTS_SERVER_SERVER_TEST_UTIL_H_
#define RILL_TESTS_SERVER_SERVER_TEST_UTIL_H_

#include <memory>
#include <string>

#include "rill/broker/broker.h"
#include "rill/logger.h"
#include "rill/server/kafka_server.h"
#include "status_test_util.h"

namespace rill::server::testing {

struct ServedBroker {
  // ServedBroker serves an in-memory broker, or one on `data_dir` (POSIX
  // files: fetches then go out with sendfile).
  explicit ServedBroker(KafkaServerOptions options = {},
                        std::string data_dir = {},
                        bool auto_create_topics = false) {
    if (options.listeners == KafkaServerOptions{}.listeners) {
      options.listeners = {"PLAINTEXT://127.0.0.1:0"};
    }
    if (options.logger == nullptr) options.logger = NullLogger();
    auto bound = KafkaServer::Bind(std::move(options));
    REQUIRE_OK(bound.status());
    server = std::move(*bound);
    BrokerOptions broker_options;
    broker_options.data_dir = std::move(data_dir);
    broker_options.auto_create_topics_enable = auto_create_topics;
    broker_options.group.group_initial_rebalance_delay_ms = 0;
    broker_options.group.group_min_session_timeout_ms = 1;
    auto opened = Broker::Open(std::move(broker_options));
    REQUIRE_OK(opened.status());
    broker = std::move(*opened);
    REQUIRE_OK(server->Serve(*broker));
  }
  ~ServedBroker() {
    server->Shutdown();
    (void)broker->Close();
  }
  int port() const { return server->endpoints().at(0).port; }

  std::unique_ptr<KafkaServer> server;
  std::unique_ptr<Broker> broker;
};

}  // namespace rill::server::testing

#endif  // RILL_TESTS_SERVER_SERVER_TEST_UTIL_H_
