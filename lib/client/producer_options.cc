// ProducerOptions::FromProperties: Kafka's producer config names.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rill/client/producer.h"
#include "util/properties.h"

namespace rill {
namespace {}  // namespace

absl::StatusOr<ProducerOptions> ProducerOptions::FromProperties(
    const std::map<std::string, std::string>& properties) {
  ProducerOptions options;
  for (const auto& [name, value] : properties) {
    absl::Status status;
    if (name == "client.id") {
      options.client_id = value;
    } else if (name == "acks") {
      if (value == "0") {
        options.acks = Acks::kNone;
      } else if (value == "1") {
        options.acks = Acks::kLeader;
      } else if (value == "all" || value == "-1") {
        options.acks = Acks::kAll;
      } else {
        status = util::InvalidProperty(name, value, "expected 0, 1, all or -1");
      }
    } else if (name == "batch.size") {
      status =
          util::ParseIntProperty<int32_t>(name, value, 1, &options.batch_size);
    } else if (name == "linger.ms") {
      status =
          util::ParseIntProperty<int64_t>(name, value, 0, &options.linger_ms);
    } else if (name == "enable.idempotence") {
      if (value != "true" && value != "false") {
        status = util::InvalidProperty(name, value, "expected true or false");
      }
      options.enable_idempotence = value == "true";
    } else if (name == "compression.type") {
      static const std::map<std::string, record::Compression> kCodecs = {
          {"none", record::Compression::kNone},
          {"gzip", record::Compression::kGzip},
          {"snappy", record::Compression::kSnappy},
          {"lz4", record::Compression::kLz4},
          {"zstd", record::Compression::kZstd}};
      auto it = kCodecs.find(value);
      if (it == kCodecs.end()) {
        status = util::InvalidProperty(
            name, value, "expected none, gzip, snappy, lz4 or zstd");
      } else {
        options.compression_type = it->second;
      }
    } else if (name == "max.request.size") {
      status = util::ParseIntProperty<int32_t>(name, value, 1,
                                               &options.max_request_size);
    } else if (name == "delivery.timeout.ms") {
      status = util::ParseIntProperty<int64_t>(name, value, 1,
                                               &options.delivery_timeout_ms);
    } else if (name == "request.timeout.ms") {
      status = util::ParseIntProperty<int64_t>(name, value, 1,
                                               &options.request_timeout_ms);
    } else if (name == "retry.backoff.ms") {
      status = util::ParseIntProperty<int64_t>(name, value, 0,
                                               &options.retry_backoff_ms);
    } else {
      status = absl::InvalidArgumentError(
          absl::StrCat("unknown producer property '", name, "'"));
    }
    if (!status.ok()) return status;
  }
  return options;
}

}  // namespace rill
