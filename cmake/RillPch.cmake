# Precompiled headers (RILL_PCH, default ON), for a quicker build.
#
# A rill translation unit spends about half its compile time parsing the
# same third-party headers: the standard library, Abseil's Status (which
# brings in Cord) and strings, and in tests Catch2's 18,000-line catch.hpp
# (clang -ftime-trace of tests/log/log_test.cc under ASan: 5.8 s of 11.9 s
# in headers). In CI's clang ASan build, the PCH took the libraries' compile
# CPU from 625 to 458 s and the tests' from 473 to 311 s.
#
# Each group of targets compiled with the same flags shares one PCH: the
# rill libraries one, the test binaries another. It is built by an object
# library of its own (rill_pch_<group>) that depends on nothing of rill's,
# so it builds at the start, beside rill_util, and the group's targets reuse
# it (REUSE_FROM). clang refuses a PCH built with other flags (say, without
# -fsanitize=fuzzer-no-link, or at another -O level), which is why
# rill_pch_<group> links its group's flag targets.
#
# Only headers from outside the project go in, so an edit to a rill header
# never rebuilds a PCH. The PCH is included ahead of every file of its
# group, so a file that forgets, say, <vector> still compiles with it:
# -DRILL_PCH=OFF builds every file on its own includes, and so does g++.
#
# clang only: g++ 12 loses the `#pragma GCC diagnostic` state of the headers
# in a PCH, so the -Warray-bounds and -Wstringop-overflow that libstdc++'s
# char_traits.h silences that way fail the -Werror build (five files, e.g.
# tests/util/varint_test.cc), as a three-line header with a pragma-silenced
# out-of-bounds read shows. (With -Werror off, the PCH took a Release g++
# build from 1122 to 820 s of compile CPU; worth trying again on a newer g++.)
option(RILL_PCH "Precompiled headers for the rill libraries and tests (clang)" ON)
set(RILL_PCH_ENABLED OFF)
if(RILL_PCH AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(RILL_PCH_ENABLED ON)
endif()

# Third-party headers used by most rill files (include counts over lib/,
# include/ and tests/).
set(RILL_PCH_HEADERS
    <algorithm> <atomic> <chrono> <cstdint> <cstring> <functional> <limits>
    <map> <memory> <optional> <set> <span> <string> <string_view> <thread>
    <utility> <vector>
    [["absl/base/thread_annotations.h"]] [["absl/container/flat_hash_map.h"]]
    [["absl/functional/any_invocable.h"]] [["absl/status/status.h"]]
    [["absl/status/statusor.h"]] [["absl/strings/numbers.h"]]
    [["absl/strings/str_cat.h"]] [["absl/synchronization/mutex.h"]]
    [["absl/synchronization/notification.h"]] [["absl/time/time.h"]])

# rill_add_pch(<group> [PIC] HEADERS <header>... LIBS <target>...): the
# object library rill_pch_<group> that builds the group's PCH from HEADERS,
# with the compile flags of LIBS (link the group's own flag targets here);
# PIC when the group's targets are position-independent.
function(rill_add_pch group)
  cmake_parse_arguments(P "PIC" "" "HEADERS;LIBS" ${ARGN})
  if(NOT RILL_PCH_ENABLED)
    return()
  endif()
  # The PCH needs a source file to hang on; the PCH is all it compiles.
  # Written once, so that a new configure does not make it out of date.
  set(anchor ${CMAKE_CURRENT_BINARY_DIR}/rill_pch_${group}.cc)
  if(NOT EXISTS ${anchor})
    file(WRITE ${anchor} "// The rill_pch_${group} precompiled header (RillPch.cmake).\n")
  endif()
  add_library(rill_pch_${group} OBJECT ${anchor})
  set_target_properties(rill_pch_${group} PROPERTIES
                        POSITION_INDEPENDENT_CODE ${P_PIC})
  target_link_libraries(rill_pch_${group} PRIVATE ${P_LIBS})
  target_precompile_headers(rill_pch_${group} PRIVATE ${P_HEADERS})
endfunction()

# rill_use_pch(<group> <target>...): the targets compile with the group's
# PCH (nothing without RILL_PCH_ENABLED).
function(rill_use_pch group)
  if(RILL_PCH_ENABLED)
    foreach(target IN LISTS ARGN)
      target_precompile_headers(${target} REUSE_FROM rill_pch_${group})
    endforeach()
  endif()
endfunction()
