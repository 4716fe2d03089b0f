// CRC-32C: a portable slicing-by-8 implementation and hardware paths for
// x86-64 (SSE4.2 crc32 instruction) and AArch64 (ARMv8 CRC extension).
//
// Conventions (as leveldb's crc32c): the `crc` handed to Extend and returned
// by it is the finished CRC (pre- and post-inverted), so Extend(0, ...) is
// the standard CRC-32C and Extend(Value(A), B) == Value(A+B). Inside, the
// algorithms work on the raw register (crc ^ 0xFFFFFFFF).
//
// All tables are computed at compile time: no initialisation order issues
// and nothing mutable at namespace scope.
#include "util/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_acle.h>
#include <sys/auxv.h>
#if __has_include(<asm/hwcap.h>)
#include <asm/hwcap.h>
#endif
#endif

namespace rill::util::crc32c {
namespace {

// The Castagnoli polynomial, bit-reflected.
constexpr uint32_t kPoly = 0x82F63B78;

// --- Portable: slicing-by-8 ---------------------------------------------

using Table = std::array<std::array<uint32_t, 256>, 8>;

constexpr Table MakeSlicingTable() {
  Table t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ ((crc & 1) ? kPoly : 0);
    }
    t[0][i] = crc;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int k = 1; k < 8; ++k) {
      t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
    }
  }
  return t;
}

constexpr Table kSlicing = MakeSlicingTable();

// LoadLe32 reads a little-endian word byte by byte so the portable path is
// right on any host; compilers fuse it into one load on little-endian ones.
inline uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

uint32_t RawPortable(uint32_t crc, const uint8_t* p, size_t n) {
  while (n >= 8) {
    crc ^= LoadLe32(p);
    crc = kSlicing[7][crc & 0xFF] ^ kSlicing[6][(crc >> 8) & 0xFF] ^
          kSlicing[5][(crc >> 16) & 0xFF] ^ kSlicing[4][crc >> 24] ^
          kSlicing[3][p[4]] ^ kSlicing[2][p[5]] ^ kSlicing[1][p[6]] ^
          kSlicing[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ kSlicing[0][(crc ^ *p++) & 0xFF];
  return crc;
}

#if defined(__x86_64__)

// --- Combining streams: the "append N zero bytes" operator ----------------
//
// The 3-stream hardware path computes CRCs of three adjacent blocks at once
// (the crc32 instruction has a latency of 3 cycles but a throughput of 1),
// then shifts the first block's register over the length of the next block
// and xors. Shifting the register over `len` zero bytes is linear over
// GF(2), so it is a 32x32 bit matrix, applied here byte by byte through four
// 256-entry tables (Mark Adler's crc32c.c does the same).

using Matrix = std::array<uint32_t, 32>;
using ShiftTable = std::array<std::array<uint32_t, 256>, 4>;

constexpr uint32_t MatrixTimes(const Matrix& m, uint32_t vec) {
  uint32_t sum = 0;
  for (int i = 0; vec != 0; ++i, vec >>= 1) {
    if (vec & 1) sum ^= m[i];
  }
  return sum;
}

constexpr Matrix MatrixSquare(const Matrix& m) {
  Matrix sq{};
  for (int i = 0; i < 32; ++i) sq[i] = MatrixTimes(m, m[i]);
  return sq;
}

// MakeShiftTable builds the operator for `len` zero bytes (a power of two).
constexpr ShiftTable MakeShiftTable(size_t len) {
  Matrix op{};  // one zero bit
  op[0] = kPoly;
  for (int i = 1; i < 32; ++i) op[i] = uint32_t{1} << (i - 1);
  for (size_t bits = len * 8; bits > 1; bits >>= 1) op = MatrixSquare(op);
  ShiftTable t{};
  for (uint32_t i = 0; i < 256; ++i) {
    for (int k = 0; k < 4; ++k) t[k][i] = MatrixTimes(op, i << (8 * k));
  }
  return t;
}

inline uint32_t Shift(const ShiftTable& t, uint32_t crc) {
  return t[0][crc & 0xFF] ^ t[1][(crc >> 8) & 0xFF] ^ t[2][(crc >> 16) & 0xFF] ^
         t[3][crc >> 24];
}

// Block sizes for the 3-stream loops: long blocks for big buffers, short
// ones so mid-sized buffers (a typical record batch) gain too.
constexpr size_t kLongBlock = 8192;
constexpr size_t kShortBlock = 256;
constexpr ShiftTable kLongShift = MakeShiftTable(kLongBlock);
constexpr ShiftTable kShortShift = MakeShiftTable(kShortBlock);

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// ThreeStreams runs the crc over as many 3*block chunks as `n` holds.
__attribute__((target("sse4.2"))) inline uint64_t ThreeStreams(
    uint64_t crc0, const uint8_t*& p, size_t& n, size_t block,
    const ShiftTable& shift) {
  while (n >= 3 * block) {
    uint64_t crc1 = 0;
    uint64_t crc2 = 0;
    const uint8_t* const end = p + block;
    do {
      crc0 = _mm_crc32_u64(crc0, Load64(p));
      crc1 = _mm_crc32_u64(crc1, Load64(p + block));
      crc2 = _mm_crc32_u64(crc2, Load64(p + 2 * block));
      p += 8;
    } while (p < end);
    crc0 = Shift(shift, static_cast<uint32_t>(crc0)) ^ crc1;
    crc0 = Shift(shift, static_cast<uint32_t>(crc0)) ^ crc2;
    p += 2 * block;
    n -= 3 * block;
  }
  return crc0;
}

__attribute__((target("sse4.2"))) uint32_t RawHardware(uint32_t crc,
                                                       const uint8_t* p,
                                                       size_t n) {
  uint64_t crc0 = crc;
  // Align so the 8-byte loads below never straddle a cache line.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    crc0 = _mm_crc32_u8(static_cast<uint32_t>(crc0), *p++);
    --n;
  }
  crc0 = ThreeStreams(crc0, p, n, kLongBlock, kLongShift);
  crc0 = ThreeStreams(crc0, p, n, kShortBlock, kShortShift);
  while (n >= 8) {
    crc0 = _mm_crc32_u64(crc0, Load64(p));
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc0 = _mm_crc32_u8(static_cast<uint32_t>(crc0), *p++);
  return static_cast<uint32_t>(crc0);
}

bool DetectHardware() { return __builtin_cpu_supports("sse4.2"); }

#elif defined(__aarch64__)

__attribute__((target("+crc"))) uint32_t RawHardware(uint32_t crc,
                                                     const uint8_t* p,
                                                     size_t n) {
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    crc = __crc32cb(crc, *p++);
    --n;
  }
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    crc = __crc32cd(crc, v);
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = __crc32cb(crc, *p++);
  return crc;
}

bool DetectHardware() {
#if defined(HWCAP_CRC32)
  return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
#else
  return false;
#endif
}

#else

uint32_t RawHardware(uint32_t crc, const uint8_t* p, size_t n) {
  return RawPortable(crc, p, n);
}
bool DetectHardware() { return false; }

#endif

using RawFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);

// ChosenImpl picks the implementation once; a function-local constant, not
// mutable global state.
RawFn ChosenImpl() {
  static const RawFn fn = DetectHardware() ? &RawHardware : &RawPortable;
  return fn;
}

}  // namespace

uint32_t Extend(uint32_t crc, const void* data, size_t size) {
  return ~ChosenImpl()(~crc, static_cast<const uint8_t*>(data), size);
}

bool HardwareAccelerated() { return ChosenImpl() != &RawPortable; }

namespace internal {

uint32_t ExtendPortable(uint32_t crc, const void* data, size_t size) {
  return ~RawPortable(~crc, static_cast<const uint8_t*>(data), size);
}

uint32_t ExtendHardware(uint32_t crc, const void* data, size_t size) {
  return ~RawHardware(~crc, static_cast<const uint8_t*>(data), size);
}

}  // namespace internal
}  // namespace rill::util::crc32c
