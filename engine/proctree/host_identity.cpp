#include "proctree/host_identity.h"

#include "proctree/procfs_read.h"

namespace vigil::proctree {

std::string TrimmedFirstLine(const std::string& text) {
  size_t end = text.find('\n');
  std::string line = text.substr(0, end);
  const char* space = " \t\r";
  size_t first = line.find_first_not_of(space);
  if (first == std::string::npos) return {};
  size_t last = line.find_last_not_of(space);
  return line.substr(first, last - first + 1);
}

HostIdentity::HostIdentity(HostIdentityOptions options) : options_(std::move(options)) {
  name_ = ReadName();
  for (const std::string& path : options_.machine_id_paths) {
    FileText text = ReadSmallFile(path, 256);
    if (!text.ok()) continue;
    std::string id = TrimmedFirstLine(text.text);
    if (!id.empty()) {
      id_ = std::move(id);
      break;
    }
  }
}

std::string HostIdentity::ReadName() const {
  if (!options_.fixed_name.empty()) return options_.fixed_name;
  FileText text = ReadSmallFile(options_.hostname_path, 256);
  return text.ok() ? TrimmedFirstLine(text.text) : std::string();
}

bool HostIdentity::Refresh(uint64_t now_ns) {
  if (last_read_ns_ != 0 && now_ns - last_read_ns_ < options_.refresh_interval_ns &&
      now_ns >= last_read_ns_)
    return false;
  last_read_ns_ = now_ns == 0 ? 1 : now_ns;
  std::string name = ReadName();
  if (name.empty() || name == name_) return false;
  name_ = std::move(name);
  ++name_changes_;
  return true;
}

}  // namespace vigil::proctree
