// log_fixture.h — the fixture of the rill::Log API tests (log_test.cc,
// log_retention_test.cc, log_durability_test.cc, log_compaction_test.cc): a
// log on the in-memory file system with a manual clock, and the bytes it
// should hold.
#ifndef RILL_TESTS_LOG_LOG_FIXTURE_H_
#define RILL_TESTS_LOG_LOG_FIXTURE_H_

#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "log/log_unit_test_util.h"
#include "rill/clock.h"
#include "rill/io/file_system.h"
#include "rill/log/log.h"
#include "rill/log/log_config.h"
#include "rill/record/record_batch.h"

namespace rill::log_unit_test {

inline constexpr char kDir[] = "/data/orders-0";
inline constexpr int64_t kStartMs = 1'700'000'000'000;

// LogTest: a log on a mem file system with a manual clock, and the bytes it
// should hold (each batch as stored: assigned base offset, leader epoch -1).
struct LogTest {
  std::shared_ptr<io::FileSystem> fs = io::NewMemFileSystem();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStartMs);
  LogConfig config = [] {
    LogConfig c;
    c.retention_ms = -1;
    c.index_interval_bytes = 256;
    return c;
  }();
  std::unique_ptr<Log> log;
  std::vector<std::string> stored;  // every batch appended, as stored

  void Open() { log = OpenTestLog(fs, kDir, config, clock); }

  // Reopen opens the log again, after Close() if `clean`.
  void Reopen(bool clean) {
    if (clean) REQUIRE_OK(log->Close());
    log.reset();
    Open();
  }

  // Append appends `batch` as a leader and records it as stored.
  AppendInfo Append(const std::string& batch) {
    const int64_t base = log->log_end_offset().value();
    ASSIGN_OR_REQUIRE(AppendInfo info, log->Append(batch));
    REQUIRE(info.first_offset == Offset(base));
    stored.push_back(WithOffsetAndEpoch(batch, base));
    return info;
  }

  // AppendRecords appends a batch of `count` records at the clock's time.
  AppendInfo AppendRecords(int count, size_t value_size = 32) {
    return Append(ValueBatch(count, clock->NowMs(), value_size));
  }

  std::string StoredFrom(size_t first_batch) const {
    std::string out;
    for (size_t i = first_batch; i < stored.size(); ++i) out += stored[i];
    return out;
  }

  // SegmentBases lists the base offsets of the .log files in the directory.
  std::vector<int64_t> SegmentBases() const {
    ASSIGN_OR_REQUIRE(std::vector<std::string> names, fs->ListDir(kDir));
    std::vector<int64_t> bases;
    for (const std::string& name : names) {
      if (name.size() == 24 && name.substr(20) == ".log") {
        bases.push_back(std::stoll(name.substr(0, 20)));
      }
    }
    return bases;
  }

  bool FileExists(const std::string& name) const {
    ASSIGN_OR_REQUIRE(bool exists, fs->Exists(io::JoinPath(kDir, name)));
    return exists;
  }
};

}  // namespace rill::log_unit_test

#endif  // RILL_TESTS_LOG_LOG_FIXTURE_H_
