// record/compression.h — the codecs of a batch's records section.
//
// Internal to the record layer. Each codec writes what Kafka clients read and
// reads what any Kafka client writes:
//
//   gzip    zlib deflate in a gzip wrapper; concatenated members are read.
//   snappy  written as one raw snappy block (as librdkafka does); read as raw
//           or in xerial framing (the Java client's snappy-java stream: the
//           16-byte header "\x82SNAPPY\0" + version + compat, then big-endian
//           int32 length-prefixed raw blocks).
//   lz4     the LZ4 frame format with independent 64 KiB blocks and no
//           checksums besides the header's (as the Java client writes) — not
//           the broken header checksum of Kafka 0.8/0.9.
//   zstd    a zstd frame; read with the streaming API because the Java client
//           writes frames without a content size.
//
// Decompression never allocates more than `max_output` bytes: a stream that
// expands past it is a decompression bomb and yields kDataLoss, as does any
// malformed or truncated input.
#ifndef RILL_RECORD_COMPRESSION_H_
#define RILL_RECORD_COMPRESSION_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rill/record/record_batch.h"

namespace rill::record::internal {

// Compress appends `input` compressed with `codec` to `*out`. `level` 0 picks
// the codec's default. kInvalidArgument for kNone or an unknown codec;
// kInternal if the codec library fails.
absl::Status Compress(Compression codec, int level, std::string_view input,
                      std::string* out);

// Decompress returns `input` decompressed with `codec`. kDataLoss for corrupt
// or truncated data, trailing garbage, or output beyond `max_output` bytes;
// kInvalidArgument for kNone or an unknown codec.
absl::StatusOr<std::string> Decompress(Compression codec,
                                       std::string_view input,
                                       size_t max_output);

// XerialSnappyMagic is the 8-byte marker at the start of a xerial stream.
inline constexpr std::string_view kXerialSnappyMagic{"\x82SNAPPY\0", 8};
// kXerialHeaderSize is the marker plus the version and compat int32s.
inline constexpr size_t kXerialHeaderSize = 16;

}  // namespace rill::record::internal

#endif  // RILL_RECORD_COMPRESSION_H_
