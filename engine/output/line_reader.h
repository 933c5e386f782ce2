// The lines of a file descriptor, read with read(2) in large blocks: what std::getline gives
// (split at '\n', the newline not included; a last line without one is a line; no empty line
// after a final newline), without a copy or a stream per line. A line longer than the buffer
// grows it. `vigil replay` reads its input with it.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace vigil::output {

class LineReader {
 public:
  explicit LineReader(int fd, size_t block = size_t{1} << 20);

  // The next line into `line` (valid until the next call); false at the end of the input or
  // on a read error (then error() is its errno).
  bool Next(std::string_view* line);
  int error() const { return error_; }

 private:
  bool Fill();  // reads one block after the unread bytes; false at the end or on an error

  int fd_;
  size_t block_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;  // the unread bytes
  size_t scanned_ = 0;          // bytes after begin_ known to hold no newline
  bool eof_ = false;
  int error_ = 0;
};

}  // namespace vigil::output
