// The clean-shutdown marker: a file a broker writes last when it closes
// cleanly (everything flushed) and removes first when it opens (Kafka's
// .kafka_cleanshutdown). Its absence at open means the last incarnation
// crashed and may have lost records it had acknowledged, which the
// controller must know before trusting the broker's replicas (KIP-966).
#ifndef RILL_BROKER_CLEAN_SHUTDOWN_H_
#define RILL_BROKER_CLEAN_SHUTDOWN_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/io/file_system.h"

namespace rill::broker {

// TakeCleanShutdownMarker tells whether `data_dir` holds the marker and
// removes it durably, so that a crash from now on reads as unclean.
absl::StatusOr<bool> TakeCleanShutdownMarker(io::FileSystem& fs,
                                             const std::string& data_dir);

// WriteCleanShutdownMarker writes the marker durably; call it after the
// logs are flushed and closed.
absl::Status WriteCleanShutdownMarker(io::FileSystem& fs,
                                      const std::string& data_dir);

}  // namespace rill::broker

#endif  // RILL_BROKER_CLEAN_SHUTDOWN_H_
