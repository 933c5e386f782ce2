#include "lang/source.h"

namespace vigil::lang {

uint32_t SourceSet::Add(std::string path, std::string text) {
  std::vector<uint32_t> starts{0};
  for (uint32_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts.push_back(i + 1);
  files_.push_back(SourceFile{std::move(path), std::move(text), {}});
  line_starts_.push_back(std::move(starts));
  return static_cast<uint32_t>(files_.size() - 1);
}

uint32_t SourceSet::AddUnread(std::string path, std::string reason) {
  files_.push_back(SourceFile{std::move(path), {}, std::move(reason)});
  line_starts_.push_back({0});
  return static_cast<uint32_t>(files_.size() - 1);
}

size_t SourceSet::read_count() const {
  size_t n = 0;
  for (const auto& f : files_) n += f.unread.empty() ? 1 : 0;
  return n;
}

std::string_view SourceSet::Line(uint32_t id, uint32_t line) const {
  if (id >= files_.size() || line == 0) return {};
  const auto& starts = line_starts_[id];
  if (line > starts.size()) return {};
  std::string_view text = files_[id].text;
  uint32_t begin = starts[line - 1];
  uint32_t end = line < starts.size() ? starts[line] - 1 : static_cast<uint32_t>(text.size());
  if (end > begin && text[end - 1] == '\r') --end;
  return text.substr(begin, end - begin);
}

std::string SourceSet::Position(const SourceLoc& loc) const {
  if (loc.file >= files_.size()) return "?";
  if (loc.line == 0) return files_[loc.file].path;
  return files_[loc.file].path + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

}  // namespace vigil::lang
