// meta.properties: a data directory's identity, as Kafka keeps it.
//
//   version=0
//   broker.id=0
//   cluster.id=<22 characters: a random 128-bit id, URL-safe base64>
//
// Written on first open; a later open with another broker.id is refused, as
// Kafka refuses (a data directory belongs to one broker).
#ifndef RILL_BROKER_META_PROPERTIES_H_
#define RILL_BROKER_META_PROPERTIES_H_

#include <string>

#include "absl/status/statusor.h"
#include "rill/io/file_system.h"
#include "rill/types.h"

namespace rill::broker {

// LoadOrCreateClusterId returns the cluster id kept in
// <data_dir>/meta.properties, creating the file for `node_id` if missing
// (with `wanted`, or a new id if `wanted` is empty). kFailedPrecondition
// when the file names another broker id or a cluster id other than a
// non-empty `wanted`; kDataLoss when it does not parse.
absl::StatusOr<std::string> LoadOrCreateClusterId(io::FileSystem& fs,
                                                  const std::string& data_dir,
                                                  NodeId node_id,
                                                  const std::string& wanted);

// NewClusterId returns a fresh random id in Kafka's format.
std::string NewClusterId();

}  // namespace rill::broker

#endif  // RILL_BROKER_META_PROPERTIES_H_
