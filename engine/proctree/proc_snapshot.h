// One process as /proc shows it, read field by field: what could be read is kept, what could
// not is flagged, so seeding carries on past restricted or vanishing entries. The parsers are
// pure functions over the file texts so hostile names (spaces, ')' and newlines in comm) are
// tested without a live process.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace vigil::proctree {

// The fields vigil uses from /proc/PID/stat. comm sits in parentheses and may itself hold
// spaces, parentheses and newlines, so the fixed fields are read after the LAST ')'.
struct StatFields {
  uint32_t pid = 0;
  std::string comm;
  char state = '?';
  uint32_t ppid = 0;
  int32_t tty_nr = 0;
  uint64_t start_ticks = 0;  // field 22: clock ticks (sysconf(_SC_CLK_TCK)) since boot
};
Result<StatFields> ParseProcStat(std::string_view text);

// Real and effective ids from /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs").
struct StatusIds {
  uint32_t uid = 0, euid = 0, gid = 0, egid = 0;
  uint32_t vpid = 0;  // last NSpid entry: the pid in the process's own namespace; 0 = unknown
  bool have_uid = false, have_gid = false;
};
StatusIds ParseProcStatusIds(std::string_view text);

// The inode number from a namespace link text such as "mnt:[4026531840]"; 0 if malformed.
uint64_t ParseNamespaceLink(std::string_view link);

// The kernel's name of a terminal from its device number as /proc/PID/stat's tty_nr encodes
// it: "pts/N", "ttyN", "ttySN"; "" for 0 and for devices it cannot name.
std::string TtyNameFromDevice(uint32_t tty_nr);

// What could not be read for a process (bit set = unreadable or vanished).
enum SnapshotMissing : uint32_t {
  kMissingExe = 1u << 0,
  kMissingCmdline = 1u << 1,
  kMissingStatus = 1u << 2,
  kMissingCgroup = 1u << 3,
  kMissingMntns = 1u << 4,
  kMissingPidns = 1u << 5,
  kMissingLoginuid = 1u << 6,
};

struct ProcSnapshot {
  StatFields stat;
  std::string exe;   // readlink of /proc/PID/exe (empty for kernel threads)
  std::string cwd;   // readlink of /proc/PID/cwd (empty when unreadable)
  std::string args;  // /proc/PID/cmdline: NUL-separated, as the kernel keeps it
  StatusIds ids;
  uint32_t loginuid = 0xffffffffu;
  uint64_t mntns = 0, pidns = 0;
  std::string cgroup;    // /proc/PID/cgroup text (all hierarchies)
  uint32_t missing = 0;  // SnapshotMissing bits
};

enum class SnapshotOutcome { kRead, kVanished, kUnreadable };

// Reads /proc/PID under proc_root. kVanished/kUnreadable only when stat itself could not be read
// or parsed; other fields that fail are flagged in `missing`. max_args_bytes bounds cmdline.
struct SnapshotResult {
  SnapshotOutcome outcome = SnapshotOutcome::kUnreadable;
  ProcSnapshot snapshot;
  int err = 0;
};
SnapshotResult ReadProcSnapshot(const std::string& proc_root, uint32_t pid, size_t max_args_bytes);

}  // namespace vigil::proctree
