#include "record/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>

#include "absl/strings/str_cat.h"
#include "util/endian.h"
#include "util/status_macros.h"

namespace rill::record::internal {
namespace {

// kMaxInput bounds what we hand to codec APIs that count in 32-bit ints; a
// batch can never be this large (batchLength is an int32).
constexpr size_t kMaxInput = INT32_MAX;

absl::Status Bomb(size_t max_output) {
  return absl::DataLossError(absl::StrCat(
      "decompressed records exceed the limit of ", max_output, " bytes"));
}

// OutputBuffer is the growing destination of a streaming decompressor, owned
// by one Decompress call (not thread-safe; nothing outlives the call). It
// doubles its size up to max_output + 1 bytes: one byte more than allowed, so
// that "the stream ends exactly at the limit" and "the stream goes on past
// it" can be told apart without trusting any size the input claims.
class OutputBuffer {
 public:
  OutputBuffer(size_t input_size, size_t max_output)
      : cap_(max_output == SIZE_MAX ? max_output : max_output + 1),
        max_output_(max_output) {
    // A guess at the ratio; growth fixes a bad guess.
    const size_t guess = std::max<size_t>(input_size * 4, 4096);
    data_.resize(std::min(guess, cap_));
  }

  // MakeRoom ensures free() > 0; kDataLoss once the cap is reached.
  absl::Status MakeRoom() {
    if (used_ < data_.size()) return absl::OkStatus();
    if (data_.size() >= cap_) return Bomb(max_output_);
    const size_t grown = data_.size() > cap_ / 2 ? cap_ : data_.size() * 2;
    data_.resize(std::max<size_t>(grown, 1));
    return absl::OkStatus();
  }
  char* next() { return data_.data() + used_; }
  size_t free() const { return data_.size() - used_; }
  // Commit records `n` bytes written at next(); kDataLoss past the limit.
  absl::Status Commit(size_t n) {
    used_ += n;
    if (used_ > max_output_) return Bomb(max_output_);
    return absl::OkStatus();
  }
  std::string Finish() && {
    data_.resize(used_);
    return std::move(data_);
  }

 private:
  std::string data_;
  size_t used_ = 0;
  const size_t cap_;
  const size_t max_output_;
};

// ---------------------------------------------------------------- gzip

absl::Status GzipCompress(int level, std::string_view input, std::string* out) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper (header and CRC-32 trailer).
  if (deflateInit2(&zs, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED,
                   15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("gzip: bad compression level ", level));
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, deflateEnd);
  const size_t start = out->size();
  out->resize(start + deflateBound(&zs, input.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data() + start);
  zs.avail_out = static_cast<uInt>(out->size() - start);
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
    out->resize(start);
    return absl::InternalError("gzip: deflate did not finish");
  }
  out->resize(start + zs.total_out);
  return absl::OkStatus();
}

absl::StatusOr<std::string> GzipDecompress(std::string_view input,
                                           size_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) {
    return absl::InternalError("gzip: inflateInit2 failed");
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  OutputBuffer out(input.size(), max_output);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  for (;;) {
    RETURN_IF_ERROR(out.MakeRoom());
    const uInt room = static_cast<uInt>(std::min<size_t>(out.free(), UINT_MAX));
    zs.next_out = reinterpret_cast<Bytef*>(out.next());
    zs.avail_out = room;
    const int ret = inflate(&zs, Z_NO_FLUSH);
    RETURN_IF_ERROR(out.Commit(room - zs.avail_out));
    if (ret == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (gzip allows concatenation, and Java's
      // GZIPInputStream reads them); anything else fails in inflate.
      if (inflateReset(&zs) != Z_OK) {
        return absl::InternalError("gzip: inflateReset failed");
      }
      continue;
    }
    if (ret == Z_BUF_ERROR && zs.avail_out != 0) {
      return absl::DataLossError("gzip: truncated stream");
    }
    if (ret != Z_OK && ret != Z_BUF_ERROR) {
      return absl::DataLossError(absl::StrCat(
          "gzip: corrupt stream: ", zs.msg != nullptr ? zs.msg : "error"));
    }
  }
  return std::move(out).Finish();
}

// ---------------------------------------------------------------- snappy

absl::Status SnappyCompress(std::string_view input, std::string* out) {
  const size_t start = out->size();
  out->resize(start + snappy::MaxCompressedLength(input.size()));
  size_t n = 0;
  snappy::RawCompress(input.data(), input.size(), out->data() + start, &n);
  out->resize(start + n);
  return absl::OkStatus();
}

// AppendRawSnappy decompresses one raw snappy block onto `out`, refusing a
// block whose declared length would take `out` past `max_output`.
absl::Status AppendRawSnappy(std::string_view block, size_t max_output,
                             std::string* out) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(block.data(), block.size(), &length)) {
    return absl::DataLossError("snappy: corrupt block header");
  }
  if (length > max_output - out->size()) return Bomb(max_output);
  const size_t start = out->size();
  out->resize(start + length);
  if (!snappy::RawUncompress(block.data(), block.size(), out->data() + start)) {
    return absl::DataLossError("snappy: corrupt block");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SnappyDecompress(std::string_view input,
                                             size_t max_output) {
  std::string out;
  if (input.size() < kXerialHeaderSize ||
      input.substr(0, kXerialSnappyMagic.size()) != kXerialSnappyMagic) {
    RETURN_IF_ERROR(AppendRawSnappy(input, max_output, &out));
    return out;
  }
  // Xerial framing. The version and compat ints are not checked: every
  // writer in the wild uses 1 and the block layout never changed.
  input.remove_prefix(kXerialHeaderSize);
  while (!input.empty()) {
    if (input.size() < 4) return absl::DataLossError("snappy: truncated block");
    const int32_t length = util::LoadBigEndian<int32_t>(input.data());
    input.remove_prefix(4);
    if (length < 0 || static_cast<size_t>(length) > input.size()) {
      return absl::DataLossError(
          absl::StrCat("snappy: bad xerial block length ", length));
    }
    RETURN_IF_ERROR(AppendRawSnappy(input.substr(0, length), max_output, &out));
    input.remove_prefix(length);
  }
  return out;
}

// ---------------------------------------------------------------- lz4

absl::Status Lz4Compress(int level, std::string_view input, std::string* out) {
  // The frame the Java client writes: independent 64 KiB blocks, no block or
  // content checksum, no content size.
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.compressionLevel = level;
  const size_t start = out->size();
  out->resize(start + LZ4F_compressFrameBound(input.size(), &prefs));
  const size_t n = LZ4F_compressFrame(out->data() + start, out->size() - start,
                                      input.data(), input.size(), &prefs);
  if (LZ4F_isError(n)) {
    out->resize(start);
    return absl::InternalError(absl::StrCat("lz4: ", LZ4F_getErrorName(n)));
  }
  out->resize(start + n);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Lz4Decompress(std::string_view input,
                                          size_t max_output) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return absl::InternalError("lz4: cannot create a decompression context");
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> dctx(
      raw, LZ4F_freeDecompressionContext);
  OutputBuffer out(input.size(), max_output);
  size_t hint = 1;  // non-zero: a frame is still expected or unfinished
  bool output_full = false;
  // Loop while input remains, or while the last call filled the output (the
  // decoder may be holding more decoded bytes for us).
  while (!input.empty() || (hint != 0 && output_full)) {
    RETURN_IF_ERROR(out.MakeRoom());
    size_t dst_size = out.free();
    size_t src_size = input.size();
    hint = LZ4F_decompress(dctx.get(), out.next(), &dst_size, input.data(),
                           &src_size, nullptr);
    if (LZ4F_isError(hint)) {
      return absl::DataLossError(
          absl::StrCat("lz4: corrupt frame: ", LZ4F_getErrorName(hint)));
    }
    output_full = dst_size == out.free();
    RETURN_IF_ERROR(out.Commit(dst_size));
    input.remove_prefix(src_size);
    if (src_size == 0 && dst_size == 0 && !output_full) {
      return absl::DataLossError("lz4: decoder made no progress");
    }
    // hint == 0 with input left: another frame follows; the context is
    // ready for it.
  }
  if (hint != 0) return absl::DataLossError("lz4: truncated frame");
  return std::move(out).Finish();
}

// ---------------------------------------------------------------- zstd

absl::Status ZstdCompress(int level, std::string_view input, std::string* out) {
  const size_t start = out->size();
  out->resize(start + ZSTD_compressBound(input.size()));
  const size_t n =
      ZSTD_compress(out->data() + start, out->size() - start, input.data(),
                    input.size(), level == 0 ? ZSTD_CLEVEL_DEFAULT : level);
  if (ZSTD_isError(n)) {
    out->resize(start);
    return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(n)));
  }
  out->resize(start + n);
  return absl::OkStatus();
}

// WindowLogFor returns the largest zstd window worth accepting when at most
// `max_output` bytes may come out: a window larger than the output is never
// needed, and a frame claiming one would make the decoder allocate it.
int WindowLogFor(size_t max_output) {
  constexpr int kMinWindowLog = 10;      // ZSTD_WINDOWLOG_ABSMIN
  constexpr int kDefaultWindowLog = 27;  // ZSTD_WINDOWLOG_LIMIT_DEFAULT
  int log = kMinWindowLog;
  while (log < kDefaultWindowLog && (size_t{1} << log) < max_output) ++log;
  return log;
}

absl::StatusOr<std::string> ZstdDecompress(std::string_view input,
                                           size_t max_output) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(),
                                                          ZSTD_freeDCtx);
  if (dctx == nullptr) return absl::InternalError("zstd: no memory");
  if (ZSTD_isError(ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax,
                                          WindowLogFor(max_output)))) {
    return absl::InternalError("zstd: cannot limit the window size");
  }
  OutputBuffer out(input.size(), max_output);
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t ret = 1;  // non-zero: a frame is still expected or unfinished
  bool output_full = false;
  while (in.pos < in.size || (ret != 0 && output_full)) {
    RETURN_IF_ERROR(out.MakeRoom());
    ZSTD_outBuffer dst{out.next(), out.free(), 0};
    const size_t in_before = in.pos;
    ret = ZSTD_decompressStream(dctx.get(), &dst, &in);
    if (ZSTD_isError(ret)) {
      return absl::DataLossError(
          absl::StrCat("zstd: corrupt frame: ", ZSTD_getErrorName(ret)));
    }
    output_full = dst.pos == dst.size;
    RETURN_IF_ERROR(out.Commit(dst.pos));
    if (dst.pos == 0 && in.pos == in_before && !output_full) {
      return absl::DataLossError("zstd: decoder made no progress");
    }
  }
  if (ret != 0) return absl::DataLossError("zstd: truncated frame");
  return std::move(out).Finish();
}

}  // namespace

absl::Status Compress(Compression codec, int level, std::string_view input,
                      std::string* out) {
  if (input.size() > kMaxInput) {
    return absl::InvalidArgumentError("records too large to compress");
  }
  switch (codec) {
    case Compression::kGzip:
      return GzipCompress(level, input, out);
    case Compression::kSnappy:
      return SnappyCompress(input, out);
    case Compression::kLz4:
      return Lz4Compress(level, input, out);
    case Compression::kZstd:
      return ZstdCompress(level, input, out);
    case Compression::kNone:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("not a compression codec: ", static_cast<int>(codec)));
}

absl::StatusOr<std::string> Decompress(Compression codec,
                                       std::string_view input,
                                       size_t max_output) {
  if (input.size() > kMaxInput) {
    return absl::DataLossError("compressed records too large");
  }
  switch (codec) {
    case Compression::kGzip:
      return GzipDecompress(input, max_output);
    case Compression::kSnappy:
      return SnappyDecompress(input, max_output);
    case Compression::kLz4:
      return Lz4Decompress(input, max_output);
    case Compression::kZstd:
      return ZstdDecompress(input, max_output);
    case Compression::kNone:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("not a compression codec: ", static_cast<int>(codec)));
}

}  // namespace rill::record::internal
