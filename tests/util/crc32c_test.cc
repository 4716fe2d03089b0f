#include "util/crc32c.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace rill::util::crc32c {
namespace {

// The implementations under test, so every vector runs against each one the
// machine can execute.
struct Impl {
  const char* name;
  uint32_t (*extend)(uint32_t, const void*, size_t);
};

std::vector<Impl> Implementations() {
  std::vector<Impl> impls = {{"dispatching", &Extend},
                             {"portable", &internal::ExtendPortable}};
  if (HardwareAccelerated()) {
    impls.push_back({"hardware", &internal::ExtendHardware});
  }
  return impls;
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

TEST_CASE("CRC-32C matches the RFC 3720 iSCSI test vectors", "[util]") {
  for (const Impl& impl : Implementations()) {
    INFO(impl.name);
    unsigned char buf[32];

    std::memset(buf, 0, sizeof(buf));
    CHECK(impl.extend(0, buf, sizeof(buf)) == 0x8A9136AAu);

    std::memset(buf, 0xFF, sizeof(buf));
    CHECK(impl.extend(0, buf, sizeof(buf)) == 0x62A8AB43u);

    for (int i = 0; i < 32; ++i) buf[i] = static_cast<unsigned char>(i);
    CHECK(impl.extend(0, buf, sizeof(buf)) == 0x46DD794Eu);

    for (int i = 0; i < 32; ++i) buf[i] = static_cast<unsigned char>(31 - i);
    CHECK(impl.extend(0, buf, sizeof(buf)) == 0x113FDB5Cu);

    CHECK(impl.extend(0, "123456789", 9) == 0xE3069283u);
  }
}

TEST_CASE("CRC-32C of nothing is zero and Extend over nothing is identity",
          "[util]") {
  for (const Impl& impl : Implementations()) {
    INFO(impl.name);
    CHECK(impl.extend(0, "", 0) == 0u);
    CHECK(impl.extend(0xE3069283u, "", 0) == 0xE3069283u);
  }
}

TEST_CASE("Value is Extend from zero", "[util]") {
  CHECK(Value("123456789", 9) == 0xE3069283u);
  CHECK(Value("123456789", 9) == Extend(0, "123456789", 9));
}

TEST_CASE("Extending the CRC of a prefix gives the CRC of the whole",
          "[util]") {
  std::mt19937_64 rng(42);
  const std::string data = RandomBytes(rng, 3 * 8192 * 2 + 777);
  for (const Impl& impl : Implementations()) {
    INFO(impl.name);
    const uint32_t whole = impl.extend(0, data.data(), data.size());
    for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{8},
                         size_t{100}, size_t{3 * 256}, size_t{3 * 8192 + 5},
                         data.size() - 1, data.size()}) {
      INFO("split at " << split);
      const uint32_t head = impl.extend(0, data.data(), split);
      CHECK(impl.extend(head, data.data() + split, data.size() - split) ==
            whole);
    }
  }
}

TEST_CASE(
    "Hardware and portable CRC agree on every length up to 1024 at every "
    "alignment",
    "[util]") {
  if (!HardwareAccelerated()) {
    WARN("no CRC instruction on this machine; hardware path not exercised");
    return;
  }
  std::mt19937_64 rng(7);
  const std::string data = RandomBytes(rng, 1024 + 64);
  size_t mismatches = 0;
  for (size_t align = 0; align < 64; ++align) {
    for (size_t len = 0; len + align <= data.size() && len <= 1024; ++len) {
      const char* p = data.data() + align;
      const uint32_t seed = static_cast<uint32_t>(len * 2654435761u);
      if (internal::ExtendHardware(seed, p, len) !=
          internal::ExtendPortable(seed, p, len)) {
        ++mismatches;
        UNSCOPED_INFO("mismatch at align " << align << " len " << len);
      }
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE(
    "Hardware and portable CRC agree on buffers that use the long "
    "three-stream blocks",
    "[util]") {
  if (!HardwareAccelerated()) {
    WARN("no CRC instruction on this machine; hardware path not exercised");
    return;
  }
  std::mt19937_64 rng(9);
  const std::string data = RandomBytes(rng, 4 * 3 * 8192 + 1000);
  for (size_t len :
       {size_t{3 * 8192 - 1}, size_t{3 * 8192}, size_t{3 * 8192 + 3 * 256 + 13},
        size_t{2 * 3 * 8192}, data.size() - 3}) {
    for (size_t align : {size_t{0}, size_t{1}, size_t{3}}) {
      INFO("len " << len << " align " << align);
      CHECK(internal::ExtendHardware(0, data.data() + align, len) ==
            internal::ExtendPortable(0, data.data() + align, len));
    }
  }
}

TEST_CASE("A single flipped bit changes the CRC", "[util]") {
  std::mt19937_64 rng(3);
  std::string data = RandomBytes(rng, 4096);
  const uint32_t before = Value(data.data(), data.size());
  for (size_t byte : {size_t{0}, size_t{1000}, size_t{4095}}) {
    for (int bit = 0; bit < 8; ++bit) {
      data[byte] = static_cast<char>(data[byte] ^ (1 << bit));
      CHECK(Value(data.data(), data.size()) != before);
      data[byte] = static_cast<char>(data[byte] ^ (1 << bit));
    }
  }
  CHECK(Value(data.data(), data.size()) == before);
}

#if defined(__x86_64__) || defined(__aarch64__)
TEST_CASE("Extend uses the CPU instruction when the CPU has one", "[util]") {
#if defined(__x86_64__)
  CHECK(HardwareAccelerated() ==
        static_cast<bool>(__builtin_cpu_supports("sse4.2")));
#else
  SUCCEED("AArch64: detection comes from getauxval");
#endif
}
#endif

}  // namespace
}  // namespace rill::util::crc32c
