#include "output/line_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil::output {

LineReader::LineReader(int fd, size_t block) : fd_(fd), block_(block), buf_(block) {}

bool LineReader::Fill() {
  if (begin_ > 0) {  // keep the unread bytes at the front
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < std::max<size_t>(block_ / 2, 1))  // a long line
    buf_.resize(std::max<size_t>(buf_.size() * 2, 1));
  for (;;) {
    const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    error_ = errno;
    return false;
  }
}

bool LineReader::Next(std::string_view* line) {
  for (;;) {
    const char* from = buf_.data() + begin_ + scanned_;
    const size_t left = end_ - begin_ - scanned_;
    if (const void* nl = left ? std::memchr(from, '\n', left) : nullptr) {
      const char* start = buf_.data() + begin_;
      const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      *line = std::string_view(start, len);
      begin_ += len + 1;
      scanned_ = 0;
      return true;
    }
    scanned_ = end_ - begin_;
    if (error_ != 0) return false;
    if (eof_ || !Fill()) {
      if (error_ != 0 || begin_ == end_) return false;
      *line = std::string_view(buf_.data() + begin_, end_ - begin_);  // the last line, unended
      begin_ = end_;
      scanned_ = 0;
      return true;
    }
  }
}

}  // namespace vigil::output
