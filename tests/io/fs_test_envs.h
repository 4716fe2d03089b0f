// Test environments giving each FileSystem implementation a fresh, empty
// root, so one set of behavioural tests runs against all of them.
#ifndef RILL_TESTS_IO_FS_TEST_ENVS_H_
#define RILL_TESTS_IO_FS_TEST_ENVS_H_

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "rill/io/fault_injection_file_system.h"
#include "rill/io/file_system.h"

namespace rill::io::testing {

// PosixEnv: a fresh directory under /tmp, removed with everything in it.
struct PosixEnv {
  static constexpr const char* kName = "posix";
  PosixEnv() : fs(NewPosixFileSystem()) {
    char tmpl[] = "/tmp/rill-io-test-XXXXXX";
    const char* dir = ::mkdtemp(tmpl);
    root = dir != nullptr ? dir : "/tmp/rill-io-test-mkdtemp-failed";
  }
  ~PosixEnv() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  std::shared_ptr<FileSystem> fs;
  std::string root;
};

// MemEnv: an empty in-memory file system.
struct MemEnv {
  static constexpr const char* kName = "mem";
  std::shared_ptr<FileSystem> fs = NewMemFileSystem();
  std::string root = "/root";
  MemEnv() { (void)fs->CreateDirs(root); }
};

// FaultEnv: the fault-injecting file system over memory, with no fault
// armed: it must behave exactly like any other file system.
struct FaultEnv {
  static constexpr const char* kName = "fault-injection";
  std::shared_ptr<FileSystem> fs =
      std::make_shared<FaultInjectionFileSystem>(NewMemFileSystem());
  std::string root = "/root";
  FaultEnv() { (void)fs->CreateDirs(root); }
};

}  // namespace rill::io::testing

#endif  // RILL_TESTS_IO_FS_TEST_ENVS_H_
