#include "proctree/user_names.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>

#include "proctree/procfs_read.h"

namespace vigil::proctree {
namespace {

constexpr size_t kMaxPasswdBytes = 4u << 20;

}  // namespace

std::unordered_map<uint32_t, std::string> ParsePasswd(std::string_view text) {
  std::unordered_map<uint32_t, std::string> names;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
    size_t c1 = line.find(':');
    if (c1 == 0 || c1 == std::string_view::npos) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    size_t c3 = line.find(':', c2 + 1);
    std::string_view uid_text =
        line.substr(c2 + 1, (c3 == std::string_view::npos ? line.size() : c3) - c2 - 1);
    uint32_t uid = 0;
    auto [ptr, ec] = std::from_chars(uid_text.data(), uid_text.data() + uid_text.size(), uid);
    if (ec != std::errc() || ptr != uid_text.data() + uid_text.size() || uid_text.empty()) continue;
    names.try_emplace(uid, line.substr(0, c1));
  }
  return names;
}

void PasswdFile::Refresh(uint64_t now_ns, uint64_t interval_ns) {
  if (!Due(now_ns, interval_ns)) return;
  checked_ = true;
  checked_ns_ = now_ns;
  FileText text;
  if (root_.empty()) {
    struct stat st;
    if (::stat(path_.c_str(), &st) != 0) {
      names_.clear();
      readable_ = false;
      size_ = -1;
      return;
    }
    if (readable_ && st.st_dev == dev_ && st.st_ino == ino_ && st.st_size == size_ &&
        st.st_mtim.tv_sec == mtime_.tv_sec && st.st_mtim.tv_nsec == mtime_.tv_nsec)
      return;
    dev_ = st.st_dev;
    ino_ = st.st_ino;
    size_ = st.st_size;
    mtime_ = st.st_mtim;
    text = ReadSmallFile(path_, kMaxPasswdBytes);
  } else {
    // Inside a container's root there is no path to stat without following its links, so the
    // text itself is compared: re-read each interval (small files, at most once a second).
    text = ReadSmallFileInRoot(root_, path_, kMaxPasswdBytes);
  }
  // The process the root was reached through may have exited: the names read before stand.
  if (!root_.empty() && !text.ok() && IsVanished(text.err) && readable_) return;
  ++reads_;
  readable_ = text.ok();
  names_ = readable_ ? ParsePasswd(text.text) : std::unordered_map<uint32_t, std::string>{};
}

std::optional<std::string_view> PasswdFile::Name(uint32_t uid, uint64_t now_ns,
                                                 uint64_t interval_ns) {
  Refresh(now_ns, interval_ns);
  auto it = names_.find(uid);
  if (it == names_.end()) return std::nullopt;
  return std::string_view(it->second);
}

UserNames::UserNames(UserNamesOptions options)
    : options_(std::move(options)), host_("", options_.host_passwd) {}

std::optional<std::string_view> UserNames::HostName(uint32_t uid, uint64_t now_ns) {
  return host_.Name(uid, now_ns, options_.refresh_interval_ns);
}

std::optional<std::string_view> UserNames::ContainerName(std::string_view container_id,
                                                         uint32_t pid, uint32_t uid,
                                                         uint64_t now_ns) {
  // Per event: one lookup; the root path is built only when the file is due for a check.
  auto root = [&] { return options_.proc_root + "/" + std::to_string(pid) + "/root"; };
  key_.assign(container_id);
  auto it = containers_.find(key_);
  if (it == containers_.end()) {
    if (containers_.size() >= options_.max_containers) {
      containers_.clear();
      ++container_resets_;
    }
    it = containers_.emplace(key_, PasswdFile(root(), "/etc/passwd")).first;
  } else if (it->second.Due(now_ns, options_.refresh_interval_ns)) {
    it->second.set_root(root());
  }
  return it->second.Name(uid, now_ns, options_.refresh_interval_ns);
}

UserNameStats UserNames::stats() const {
  UserNameStats s;
  s.host_reads = host_.reads();
  for (const auto& [id, file] : containers_) s.container_reads += file.reads();
  s.container_resets = container_resets_;
  return s;
}

}  // namespace vigil::proctree
