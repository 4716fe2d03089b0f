// Helpers for the admin handler tests: Kafka codes by reason, and records
// produced straight into the served broker.
#ifndef RILL_TESTS_SERVER_ADMIN_TEST_UTIL_H_
#define RILL_TESTS_SERVER_ADMIN_TEST_UTIL_H_

#include <cstdint>
#include <string>

#include "broker/broker_test_util.h"
#include "rill/broker/broker.h"
#include "rill/error.h"
#include "server/error_codes.h"
#include "status_test_util.h"

namespace rill::server::testing {

// Code is the Kafka error code of `reason`.
inline int16_t Code(ErrorReason reason) { return KafkaErrorCodeFor(reason); }

// ProduceOne appends one record stamped `timestamp_ms` to `tp`.
inline void ProduceOne(Broker& broker, const TopicPartition& tp,
                       int64_t timestamp_ms = 1'000) {
  REQUIRE_OK(
      rill::test::ProduceSync(
          broker, tp,
          rill::test::MakeBatch({{.key = "k", .value = "v"}}, timestamp_ms))
          .status());
}

}  // namespace rill::server::testing

#endif  // RILL_TESTS_SERVER_ADMIN_TEST_UTIL_H_
