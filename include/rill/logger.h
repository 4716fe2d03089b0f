// rill/logger.h — where rill's own messages go.
//
// rill logs little: server start and stop, connections closed for bad
// input, background work that failed with no caller to return an error to.
// Every component that logs takes a std::shared_ptr<Logger> in its options;
// null means the default, which writes one line per message to stderr.
//
//   class MyLogger : public rill::Logger {
//     void Log(rill::LogLevel level, std::string_view message) override {
//       my_app_log(static_cast<int>(level), message);
//     }
//   };
#ifndef RILL_LOGGER_H_
#define RILL_LOGGER_H_

#include <memory>
#include <string_view>

namespace rill {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Logger receives rill's log messages. Implementations must be thread-safe:
// Log is called from any thread, concurrently.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, std::string_view message) = 0;
};

// StderrLogger returns the default logger: "<time> <LEVEL> <message>" lines
// on stderr, dropping messages below `min_level`.
std::shared_ptr<Logger> StderrLogger(LogLevel min_level = LogLevel::kInfo);

// NullLogger discards everything (tests that provoke errors on purpose).
std::shared_ptr<Logger> NullLogger();

}  // namespace rill

#endif  // RILL_LOGGER_H_
