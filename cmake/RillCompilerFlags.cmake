# Warning and sanitizer flags shared by every rill target (an INTERFACE target,
# so they never leak into the exported package).
add_library(rill_build_flags INTERFACE)
target_compile_options(rill_build_flags INTERFACE -Wall -Wextra -Wpedantic)
if(RILL_WERROR)
  target_compile_options(rill_build_flags INTERFACE -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND
   CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # g++ 12 at -O3 (Release) reports -Wrestrict false positives inside
  # std::string for `"k" + std::to_string(n)` (GCC bug 105329), an error
  # with -Werror; fixed in g++ 13.
  target_compile_options(rill_build_flags INTERFACE -Wno-restrict)
endif()
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Checks the ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED annotations.
  target_compile_options(rill_build_flags INTERFACE -Wthread-safety)
endif()
if(RILL_SANITIZE)
  set(_rill_san -fsanitize=address,undefined -fno-omit-frame-pointer
                -fno-sanitize-recover=undefined)
  target_compile_options(rill_build_flags INTERFACE ${_rill_san})
  target_link_options(rill_build_flags INTERFACE ${_rill_san})
endif()
if(RILL_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "RILL_BUILD_FUZZERS needs clang (libFuzzer): "
                        "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  # Every target runs under ASan and UBSan, so a memory error or undefined
  # behaviour found by a fuzzer is a crash.
  set(_rill_fuzz_san -fsanitize=address,undefined
                     -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_compile_options(rill_build_flags INTERFACE ${_rill_fuzz_san})
  target_link_options(rill_build_flags INTERFACE -fsanitize=address,undefined)
endif()

# libFuzzer's coverage feedback, for the code fuzzers explore: the rill
# libraries and the fuzz targets (which add -fsanitize=fuzzer for libFuzzer's
# main). Tests and benchmarks go without; it only slows their build.
add_library(rill_coverage_flags INTERFACE)
if(RILL_BUILD_FUZZERS)
  target_compile_options(rill_coverage_flags INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Test code is compiled for a quick build, not for speed: the code under test
# keeps the build type's flags in the rill libraries, where the tests spend
# their time. One test file (group/offsets_test.cc) took g++ -O3 10.1 s and
# -O1 5.4 s; clang ASan -O1 11.6 s and -O0 4.2 s. A Debug build (or an
# explicit RILL_TEST_OPT_FLAGS) keeps what it asks for.
set(RILL_TEST_OPT_FLAGS "auto" CACHE STRING
    "Optimization flags for test code: auto, or e.g. -O2; empty = build type's")
add_library(rill_test_flags INTERFACE)
target_link_libraries(rill_test_flags INTERFACE rill_build_flags)
if(RILL_TEST_OPT_FLAGS STREQUAL "auto")
  if(CMAKE_BUILD_TYPE STREQUAL "Debug" OR NOT CMAKE_BUILD_TYPE)
    set(_rill_test_opt "")
  elseif(RILL_SANITIZE OR RILL_BUILD_FUZZERS)
    set(_rill_test_opt -O0)
  else()
    set(_rill_test_opt -O1)
  endif()
else()
  separate_arguments(_rill_test_opt UNIX_COMMAND "${RILL_TEST_OPT_FLAGS}")
endif()
# After the build type's flags on the command line, so the last -O wins.
target_compile_options(rill_test_flags INTERFACE ${_rill_test_opt})

# Where a test spends its time in test code, -O0 under the sanitizers costs
# more at run time than -O1 costs to compile: Catch2's assertion and INFO
# machinery (catch_main.cc) and the log model test (log/log_model_test.cc,
# whose model, checks and log reads are test code). Its long random runs are
# by far the longest test under ASan (296 s of CPU, against a 300 s ctest
# timeout; half of ctest's total), and ctest -j2 waits for it. Both files at
# -O1 took it to 238 s ("random operations": 6.5 s to 4.4 s), for ~35 s more
# compile CPU. RILL_TEST_HOT_OPT_FLAGS is what tests/CMakeLists.txt gives
# those two files: -O1 where the other test code gets -O0, nothing otherwise.
set(RILL_TEST_HOT_OPT_FLAGS "")
if(RILL_TEST_OPT_FLAGS STREQUAL "auto" AND _rill_test_opt STREQUAL "-O0")
  set(RILL_TEST_HOT_OPT_FLAGS -O1)
endif()
