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
  # Coverage feedback for libFuzzer in every rill target (the fuzz targets
  # add -fsanitize=fuzzer, which brings libFuzzer's main), under ASan and
  # UBSan so a memory error or undefined behaviour is a crash.
  set(_rill_fuzz -fsanitize=fuzzer-no-link,address,undefined
                 -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_compile_options(rill_build_flags INTERFACE ${_rill_fuzz})
  target_link_options(rill_build_flags INTERFACE -fsanitize=address,undefined)
endif()
