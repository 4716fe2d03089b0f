// The binary encoding of metadata records, of committed batches and of
// image snapshots (format in metadata_format.h).
//
//   std::string payload = EncodeBatch(image.version(), records);
//   ASSIGN_OR_RETURN(MetadataBatch batch, DecodeBatch(payload));
//
// Decoders take untrusted bytes: they never read past their input, never
// allocate more than the input could describe, and return kDataLoss for
// anything malformed (truncated, an unknown tag or format, trailing bytes).
#ifndef RILL_REPLICATION_METADATA_RECORD_CODEC_H_
#define RILL_REPLICATION_METADATA_RECORD_CODEC_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rill/replication/cluster_image.h"
#include "rill/replication/cluster_metadata.h"

namespace rill::replication::internal {

// EncodeRecord appends `record`'s encoding to `out`.
void EncodeRecord(const MetadataRecord& record, std::string* out);

// DecodeRecord decodes one record from the front of `in` and consumes it.
absl::StatusOr<MetadataRecord> DecodeRecord(std::string_view* in);

// MetadataBatch is a batch of records and the image version it starts from.
struct MetadataBatch {
  // The version of the image the batch applies to. Default: 0.
  int64_t base_version = 0;
  // The records, in order. Default: none.
  std::vector<MetadataRecord> records = {};

  // The version after the batch.
  int64_t end_version() const {
    return base_version + static_cast<int64_t>(records.size());
  }
};

// EncodeBatch returns the payload of one log frame.
std::string EncodeBatch(int64_t base_version,
                        std::span<const MetadataRecord> records);

// DecodeBatch decodes a whole log frame's payload. Its base version is not
// negative and its end version does not overflow.
absl::StatusOr<MetadataBatch> DecodeBatch(std::string_view payload);

// EncodeSnapshot returns the payload of a snapshot frame holding `image`.
std::string EncodeSnapshot(const ClusterImage& image);

// DecodeSnapshot rebuilds the image a snapshot payload holds (equal to the
// encoded one, version included).
absl::StatusOr<ClusterImage> DecodeSnapshot(std::string_view payload);

}  // namespace rill::replication::internal

#endif  // RILL_REPLICATION_METADATA_RECORD_CODEC_H_
