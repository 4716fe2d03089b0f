#include "broker/producer_id_allocator.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "util/properties.h"
#include "util/status_macros.h"

namespace rill::broker {

absl::StatusOr<ProducerId> ProducerIdAllocator::Next() {
  absl::MutexLock lock(&mu_);
  if (next_ >= block_end_) RETURN_IF_ERROR(ReserveBlock());
  const int64_t n = next_++;
  if (!interleave_as_) return ProducerId(n);
  return ProducerId(n * kMaxBrokers + interleave_as_->value());
}

absl::Status ProducerIdAllocator::ReserveBlock() {
  int64_t start = 0;
  ASSIGN_OR_RETURN(bool exists, fs_->Exists(path_));
  if (exists) {
    ASSIGN_OR_RETURN(std::string text, io::ReadFileToString(*fs_, path_));
    absl::StatusOr<std::map<std::string, std::string>> properties =
        util::ParseProperties(text);
    if (!properties.ok() ||
        !absl::SimpleAtoi((*properties)["next.block.start"], &start) ||
        start < 0) {
      return absl::DataLossError(absl::StrCat(path_, " is unreadable"));
    }
  }
  ASSIGN_OR_RETURN(std::string text,
                   util::FormatProperties(
                       {{"next.block.start", absl::StrCat(start + kBlockSize)}},
                       "rill producer id blocks"));
  if (!exists) RETURN_IF_ERROR(fs_->CreateDirs(dir_));
  RETURN_IF_ERROR(io::WriteFileAtomically(*fs_, path_, text));
  next_ = start;
  block_end_ = start + kBlockSize;
  return absl::OkStatus();
}

}  // namespace rill::broker
