// CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2.
//
// Uses the CPU's CRC instruction when there is one (SSE4.2 on x86-64, the
// ARMv8 CRC extension on AArch64), chosen once at run time, and a portable
// table-driven implementation otherwise. Both give identical results.
//
//   uint32_t crc = rill::util::crc32c::Value(data, size);
//   crc = rill::util::crc32c::Extend(crc, more, more_size);
#ifndef RILL_UTIL_CRC32C_H_
#define RILL_UTIL_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace rill::util::crc32c {

// Extend returns the CRC-32C of A+B given `crc`, the CRC-32C of A, and B.
uint32_t Extend(uint32_t crc, const void* data, size_t size);

// Value returns the CRC-32C of data[0, size).
inline uint32_t Value(const void* data, size_t size) {
  return Extend(0, data, size);
}

// HardwareAccelerated tells whether Extend uses a CPU instruction.
bool HardwareAccelerated();

namespace internal {
// The two implementations, exposed so tests can check each against vectors.
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t size);
// Requires HardwareAccelerated().
uint32_t ExtendHardware(uint32_t crc, const void* data, size_t size);
}  // namespace internal

}  // namespace rill::util::crc32c

#endif  // RILL_UTIL_CRC32C_H_
