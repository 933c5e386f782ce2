// Names what a process's standard stream is (proc.stdin.type, proc.stdout.type): "socket",
// "pipe", "tty", "null", "file", or "none" when the descriptor is closed. From what the kernel
// read at exec (the inode's mode, device and file system), or, for an event without it, from
// the /proc/PID/fd link.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/event.h"

namespace vigil::runtime {

class StdioKinds {
 public:
  // `drivers` lists the terminal drivers (/proc/tty/drivers: name, node, major, minors, type).
  explicit StdioKinds(std::string drivers = "/proc/tty/drivers");

  // The kind of a descriptor the kernel described.
  std::string_view Kind(const kernel::Event::StdioFile& f);
  // The kind of descriptor `fd` of `pid` from /proc (`proc_root`/PID/fd/FD); empty when the
  // process is gone.
  static std::string_view KindFromProc(const std::string& proc_root, uint32_t pid, int fd);

  // How often the driver list was read (tests).
  uint64_t loads() const { return loads_; }

 private:
  bool IsTerminal(uint32_t major, uint32_t minor);
  void Load();

  struct Range {
    uint32_t major, first, last;
  };
  std::string drivers_;
  std::vector<Range> terminals_;        // device ranges whose node is a terminal's (/dev/tty*, ...)
  std::vector<uint32_t> known_majors_;  // every major the list names (terminal or not)
  int64_t loaded_ns_ = 0;
  uint64_t loads_ = 0;
};

}  // namespace vigil::runtime
