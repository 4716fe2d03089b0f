// Path helpers shared by the file system implementations. Paths are
// '/'-separated strings, as in file_system.h.
#ifndef RILL_IO_PATH_H_
#define RILL_IO_PATH_H_

#include <string>
#include <string_view>

namespace rill::io::internal {

// NormalizePath drops empty and "." components and a trailing '/', and
// resolves ".." lexically; "/a//b/./c/" -> "/a/b/c". An absolute path stays
// absolute, a relative one relative; "" and "." become ".", "/" stays "/".
std::string NormalizePath(std::string_view path);

// Dirname is the directory holding `path`'s last component, of a normalized
// path: "/a/b" -> "/a", "/a" -> "/", "a" -> ".".
std::string Dirname(std::string_view path);

// Basename is the last component of a normalized path: "/a/b" -> "b".
std::string Basename(std::string_view path);

}  // namespace rill::io::internal

#endif  // RILL_IO_PATH_H_
