// The text of every loaded .vgl file, and positions within it. Diagnostics point here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::lang {

// A position in a loaded file. Lines and columns are 1-based; columns count Unicode code
// points, as ANTLR does. `length` is the span in code points (at least 1).
struct SourceLoc {
  uint32_t file = 0;
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t length = 1;
  bool valid() const { return line != 0; }
};

struct SourceFile {
  std::string path;  // as given by the user ("<stdin>" for -)
  std::string text;
  // Why the path could not be read as rules (empty when it was read): it has no text, and
  // findings about it point at the whole file (line 0).
  std::string unread;
};

// Owns the text of every file loaded together. File ids are indices in load order.
class SourceSet {
 public:
  uint32_t Add(std::string path, std::string text);
  // A path that could not be read, kept so that findings can name it.
  uint32_t AddUnread(std::string path, std::string reason);
  const SourceFile& file(uint32_t id) const { return files_.at(id); }
  size_t size() const { return files_.size(); }
  // Files whose text was read (size() less the unread ones).
  size_t read_count() const;
  // The text of line `line` (1-based) of file `id`, without its newline; empty if out of range.
  std::string_view Line(uint32_t id, uint32_t line) const;
  // "path:line:col" of `loc` ("path" alone for line 0, the whole file), or "?" when it points
  // nowhere: the one way a source position is written (diagnostics, rule locations in alerts,
  // test failures).
  std::string Position(const SourceLoc& loc) const;

 private:
  std::vector<SourceFile> files_;
  std::vector<std::vector<uint32_t>> line_starts_;
};

}  // namespace vigil::lang
