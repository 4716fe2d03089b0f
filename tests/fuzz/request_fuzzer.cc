// request_fuzzer: one request frame (without its 4-byte size prefix, as
// tests/data/protocol/*.bin) through what the server does with it before a
// handler runs — the request header, then the body decoded as the request
// of that API key at that version, for every request in
// protocol::RequestTypes.
//
// Malformed input must fail with the codec's own errors (kInvalidRequest,
// kUnsupportedVersion). A body that decodes is also round-tripped (encode,
// decode, encode: the same bytes), which finds codecs whose encoder and
// decoder disagree. Either kind of failure aborts, which libFuzzer reports
// as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "protocol/api_key.h"
#include "protocol/header.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"
#include "request_codecs.h"
#include "rill/error.h"

namespace rill::protocol::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "request_fuzzer: %s\n", what.c_str());
  std::abort();
}

// CheckDecodeError: malformed input gets the codec's errors, nothing else.
void CheckDecodeError(const absl::Status& status, const char* what) {
  const ErrorReason reason = GetErrorReason(status);
  if (reason != ErrorReason::kInvalidRequest &&
      reason != ErrorReason::kUnsupportedVersion) {
    Die(std::string(what) +
        " failed with an unexpected error: " + status.ToString());
  }
}

// CheckHeaderRoundTrip: the header reads back as it was written.
void CheckHeaderRoundTrip(const RequestHeader& header, bool flexible) {
  WireWriter w;
  WriteRequestHeader(header, flexible, w);
  std::string bytes = w.buffer();
  WireReader r{std::span<char>(bytes)};
  RequestHeader again;
  absl::Status s = ReadRequestHeader(r, &again);
  if (s.ok() && flexible) s = SkipTaggedFields(r);
  if (!s.ok() || r.remaining() != 0 || again.api_key != header.api_key ||
      again.api_version != header.api_version ||
      again.correlation_id != header.correlation_id ||
      again.client_id != header.client_id) {
    Die("request header does not read back as written");
  }
}

void FuzzFrame(std::span<char> frame) {
  WireReader reader(frame);
  RequestHeader header;
  if (absl::Status s = ReadRequestHeader(reader, &header); !s.ok()) {
    CheckDecodeError(s, "request header");
    return;
  }
  const RequestCodec* codec = FindRequestCodec(header.api_key);
  if (codec == nullptr) return;  // unknown key: the server closes
  const bool flexible = codec->flexible_versions.Contains(header.api_version);
  if (flexible) {
    if (absl::Status s = SkipTaggedFields(reader); !s.ok()) {
      CheckDecodeError(s, "request header tagged fields");
      return;
    }
  }
  CheckHeaderRoundTrip(header, flexible);
  absl::StatusOr<std::string> encoded =
      codec->round_trip(frame.subspan(reader.position()), header.api_version);
  if (encoded.ok()) return;
  if (absl::IsInternal(encoded.status())) {
    Die(std::string(ApiKeyName(header.api_key)) + " v" +
        std::to_string(header.api_version) + ": " +
        encoded.status().ToString());
  }
  CheckDecodeError(encoded.status(), "request body");
}

}  // namespace
}  // namespace rill::protocol::testing

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Decoding may point into the frame (Records), so it gets its own copy.
  std::string frame(reinterpret_cast<const char*>(data), size);
  rill::protocol::testing::FuzzFrame(std::span<char>(frame));
  return 0;
}
