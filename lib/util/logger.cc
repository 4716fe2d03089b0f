#include "rill/logger.h"

#include <cstdio>
#include <ctime>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace rill {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

// Stderr writes each message with one fprintf, which stdio locks, so lines
// from different threads do not interleave.
class Stderr final : public Logger {
 public:
  explicit Stderr(LogLevel min_level) : min_level_(min_level) {}
  void Log(LogLevel level, std::string_view message) override {
    if (level < min_level_) return;
    std::string when = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                        absl::UTCTimeZone());
    std::fprintf(stderr, "%s %s %.*s\n", when.c_str(), LevelName(level),
                 static_cast<int>(message.size()), message.data());
  }

 private:
  const LogLevel min_level_;
};

class Null final : public Logger {
 public:
  void Log(LogLevel, std::string_view) override {}
};

}  // namespace

std::shared_ptr<Logger> StderrLogger(LogLevel min_level) {
  return std::make_shared<Stderr>(min_level);
}

std::shared_ptr<Logger> NullLogger() { return std::make_shared<Null>(); }

}  // namespace rill
