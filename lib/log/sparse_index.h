// SparseIndex: the in-memory entries of one index file and their persistence.
//
// Entries live in memory (a 1 GiB segment with 4 KiB intervals needs 2 MiB)
// and are written to the file in Persist(), which appends only the entries
// added since the last Persist, or rewrites the file after a truncation.
// Because entries are appended and each is fixed-size, a file cut anywhere
// loads as a valid, sparser index: Load keeps the longest well-ordered prefix.
#ifndef RILL_LOG_SPARSE_INDEX_H_
#define RILL_LOG_SPARSE_INDEX_H_

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "rill/io/file_system.h"
#include "util/status_macros.h"

namespace rill::log {

// SparseIndex<Entry>: owned by its Segment; not thread-safe (the Log's mutex
// guards it).
template <typename Entry>
class SparseIndex {
 public:
  SparseIndex(std::string path, int32_t max_bytes)
      : path_(std::move(path)),
        max_entries_(std::max<size_t>(1, max_bytes / Entry::kSize)) {}

  SparseIndex(const SparseIndex&) = delete;
  SparseIndex& operator=(const SparseIndex&) = delete;

  // Load reads the index file (a missing file is an empty index) and keeps
  // the longest prefix of entries accepted by `valid` and well ordered.
  template <typename Valid>
  absl::Status Load(io::FileSystem& fs, Valid valid) {
    entries_.clear();
    auto contents = io::ReadFileToString(fs, path_);
    if (absl::IsNotFound(contents.status())) {
      persisted_ = 0;
      rewrite_ = true;
      return absl::OkStatus();
    }
    if (!contents.ok()) return contents.status();
    const size_t n = contents->size() / Entry::kSize;
    for (size_t i = 0; i < n && entries_.size() < max_entries_; ++i) {
      Entry e = Entry::DecodeFrom(contents->data() + i * Entry::kSize);
      if (!valid(e) || (!entries_.empty() && !e.Follows(entries_.back()))) {
        break;
      }
      entries_.push_back(e);
    }
    persisted_ = entries_.size();
    rewrite_ = entries_.size() * Entry::kSize != contents->size();
    return absl::OkStatus();
  }

  // DropFrom removes the entries from the first one `beyond` accepts on
  // (entries naming data the segment no longer holds).
  template <typename Beyond>
  void DropFrom(Beyond beyond) {
    auto it = std::find_if(entries_.begin(), entries_.end(), beyond);
    TruncateToSize(it - entries_.begin());
  }

  // Append adds an entry; the caller keeps entries well ordered.
  void Append(const Entry& e) { entries_.push_back(e); }

  // Clear drops every entry (the index will be rebuilt).
  void Clear() { TruncateToSize(0); }

  // TruncateToSize keeps the first n entries.
  void TruncateToSize(size_t n) {
    if (n >= entries_.size()) return;
    entries_.resize(n);
    if (persisted_ > n) {
      persisted_ = n;
      rewrite_ = true;
    }
  }

  // Floor returns the index of the last entry for which `before(entry)` is
  // true, given that `before` is true for a prefix of the entries; -1 if none.
  template <typename Before>
  ptrdiff_t Floor(Before before) const {
    auto it = std::partition_point(entries_.begin(), entries_.end(), before);
    return (it - entries_.begin()) - 1;
  }

  bool full() const { return entries_.size() >= max_entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const Entry& operator[](size_t i) const { return entries_[i]; }
  const Entry& back() const { return entries_.back(); }
  const std::string& path() const { return path_; }

  // Persist writes entries not yet in the file (or rewrites the file after a
  // truncation) and, with `sync`, fsyncs it.
  absl::Status Persist(io::FileSystem& fs, bool sync) {
    if (!file_) {
      ASSIGN_OR_RETURN(file_, fs.OpenFile(path_, {.create = true}));
      if (file_->Size() != persisted_ * Entry::kSize) rewrite_ = true;
    }
    if (rewrite_) {
      RETURN_IF_ERROR(file_->Truncate(persisted_ * Entry::kSize));
      rewrite_ = false;
      dirty_ = true;  // a cut entry must not come back after a power loss
    }
    if (persisted_ < entries_.size()) {
      std::string buf((entries_.size() - persisted_) * Entry::kSize, '\0');
      for (size_t i = persisted_; i < entries_.size(); ++i) {
        entries_[i].EncodeTo(buf.data() + (i - persisted_) * Entry::kSize);
      }
      RETURN_IF_ERROR(file_->Append(buf));
      persisted_ = entries_.size();
      dirty_ = true;
    }
    if (sync && dirty_) {
      RETURN_IF_ERROR(file_->Sync());
      dirty_ = false;
    }
    return absl::OkStatus();
  }

  // Remove deletes the index file (missing is fine).
  absl::Status Remove(io::FileSystem& fs) {
    file_.reset();
    return io::RemoveFileIfExists(fs, path_);
  }

 private:
  std::string path_;
  size_t max_entries_;
  std::vector<Entry> entries_;
  std::unique_ptr<io::File> file_;  // opened on first Persist
  size_t persisted_ = 0;            // entries [0, persisted_) are in the file
  bool rewrite_ = true;             // the file must be cut to persisted_
  bool dirty_ = true;               // written since the last sync
};

}  // namespace rill::log

#endif  // RILL_LOG_SPARSE_INDEX_H_
