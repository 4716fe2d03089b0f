# Finds rill's dependencies the way ../shared/docs/DEPS.md shows (Debian 12).
# Kept in one file so the exported package (rillConfig.cmake) finds the same.
find_package(Threads REQUIRED)
find_package(absl REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(ZLIB REQUIRED)
find_package(Snappy CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET GLOBAL libxxhash)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET GLOBAL liblz4)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET GLOBAL libzstd)

# Standalone Asio (libasio-dev): header-only, no CMake config or .pc file.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
if(NOT TARGET rill_asio)
  add_library(rill_asio INTERFACE)
  target_include_directories(rill_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
  target_compile_definitions(rill_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
  target_link_libraries(rill_asio INTERFACE Threads::Threads)
endif()
