#include "runtime/stdio_kind.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace vigil::runtime {
namespace {

constexpr uint32_t kPipefsMagic = 0x50495045;  // linux/magic.h PIPEFS_MAGIC
constexpr uint32_t kMemMajor = 1, kNullMinor = 3;
// Unix98 pty slaves (/dev/pts/N): majors 136 to 143, whatever the driver list says.
constexpr uint32_t kPtsFirstMajor = 136, kPtsLastMajor = 143;
// A character device whose major the list does not name rereads it at most this often (a
// serial or USB driver loaded after the agent started).
constexpr int64_t kReloadNs = 10'000'000'000;

int64_t MonotonicNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The names /proc/PID/fd links give a terminal: /dev/tty*, /dev/pts/*, /dev/console, and the
// virtual consoles' /dev/vc/N (which the list names for /dev/tty0).
bool TerminalNode(std::string_view node) {
  return node.rfind("/dev/tty", 0) == 0 || node.rfind("/dev/pts", 0) == 0 ||
         node == "/dev/console" || node.rfind("/dev/vc/", 0) == 0;
}

}  // namespace

StdioKinds::StdioKinds(std::string drivers) : drivers_(std::move(drivers)) {
  Load();
}

void StdioKinds::Load() {
  ++loads_;
  loaded_ns_ = MonotonicNs();
  terminals_.clear();
  known_majors_.clear();
  std::ifstream in(drivers_);
  std::string line;
  while (std::getline(in, line)) {
    // "serial   /dev/ttyS   4 64-95 serial": the name may not hold spaces, the node neither.
    std::istringstream fields(line);
    std::string name, node, minors;
    uint32_t major = 0;
    if (!(fields >> name >> node >> major >> minors)) continue;
    uint32_t first = 0, last = 0;
    if (std::sscanf(minors.c_str(), "%u-%u", &first, &last) != 2) {
      if (std::sscanf(minors.c_str(), "%u", &first) != 1) continue;
      last = first;
    }
    known_majors_.push_back(major);
    if (TerminalNode(node)) terminals_.push_back({major, first, last});
  }
}

bool StdioKinds::IsTerminal(uint32_t major, uint32_t minor) {
  if (major >= kPtsFirstMajor && major <= kPtsLastMajor) return true;
  auto find = [&] {
    return std::any_of(terminals_.begin(), terminals_.end(), [&](const Range& r) {
      return r.major == major && minor >= r.first && minor <= r.last;
    });
  };
  if (find()) return true;
  const bool known =
      std::find(known_majors_.begin(), known_majors_.end(), major) != known_majors_.end();
  if (!known && MonotonicNs() - loaded_ns_ >= kReloadNs) {
    Load();
    return find();
  }
  return false;
}

std::string_view StdioKinds::Kind(const kernel::Event::StdioFile& f) {
  if (!f.open) return "none";
  switch (f.mode & S_IFMT) {
    case S_IFSOCK:
      return "socket";
    case S_IFIFO:
      // An anonymous pipe; a named FIFO reads as its path ("file"), as /proc shows it.
      return f.fs_magic == kPipefsMagic ? "pipe" : "file";
    case S_IFCHR: {
      const uint32_t major = f.rdev >> 20, minor = f.rdev & 0xfffff;
      if (major == kMemMajor && minor == kNullMinor) return "null";
      return IsTerminal(major, minor) ? "tty" : "file";
    }
    default:
      return "file";
  }
}

std::string_view StdioKinds::KindFromProc(const std::string& proc_root, uint32_t pid, int fd) {
  const std::string dir = proc_root + "/" + std::to_string(pid);
  const std::string link = dir + "/fd/" + std::to_string(fd);
  char target[256];
  ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  if (n < 0) {
    // The descriptor is closed, or the whole process is gone.
    return ::access(dir.c_str(), F_OK) == 0 ? "none" : "";
  }
  std::string_view t(target, static_cast<size_t>(n));
  if (t.rfind("socket:", 0) == 0) return "socket";
  if (t.rfind("pipe:", 0) == 0) return "pipe";
  if (t == "/dev/null") return "null";
  if (t.rfind("/dev/pts/", 0) == 0 || t.rfind("/dev/tty", 0) == 0 || t == "/dev/console")
    return "tty";
  return "file";
}

}  // namespace vigil::runtime
