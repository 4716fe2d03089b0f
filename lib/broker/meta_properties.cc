#include "broker/meta_properties.h"

#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "util/properties.h"
#include "util/status_macros.h"

namespace rill::broker {

std::string NewClusterId() {
  std::random_device entropy;
  std::string bytes(16, '\0');
  for (char& byte : bytes) byte = static_cast<char>(entropy());
  return absl::WebSafeBase64Escape(bytes);  // 22 characters, no padding
}

absl::StatusOr<std::string> LoadOrCreateClusterId(io::FileSystem& fs,
                                                  const std::string& data_dir,
                                                  NodeId node_id,
                                                  const std::string& wanted) {
  const std::string path = io::JoinPath(data_dir, "meta.properties");
  ASSIGN_OR_RETURN(bool exists, fs.Exists(path));
  if (!exists) {
    std::string cluster_id = wanted.empty() ? NewClusterId() : wanted;
    ASSIGN_OR_RETURN(
        std::string text,
        util::FormatProperties({{"version", "0"},
                                {"broker.id", absl::StrCat(node_id.value())},
                                {"cluster.id", cluster_id}}));
    RETURN_IF_ERROR(io::WriteFileAtomically(fs, path, text));
    return cluster_id;
  }
  ASSIGN_OR_RETURN(std::string text, io::ReadFileToString(fs, path));
  absl::StatusOr<std::map<std::string, std::string>> properties =
      util::ParseProperties(text);
  if (!properties.ok() || !properties->contains("cluster.id") ||
      !properties->contains("broker.id")) {
    return absl::DataLossError(absl::StrCat(path, " is unreadable"));
  }
  const std::string& stored_id = properties->at("broker.id");
  if (stored_id != absl::StrCat(node_id.value())) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " belongs to broker.id ", stored_id,
                     ", not to broker.id ", node_id.value()));
  }
  const std::string& stored_cluster = properties->at("cluster.id");
  if (!wanted.empty() && stored_cluster != wanted) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " belongs to cluster ", stored_cluster,
                     ", not to cluster ", wanted));
  }
  return stored_cluster;
}

}  // namespace rill::broker
