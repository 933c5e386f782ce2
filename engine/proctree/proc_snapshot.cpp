#include "proctree/proc_snapshot.h"

#include <cerrno>
#include <charconv>
#include <vector>

#include "proctree/procfs_read.h"

namespace vigil::proctree {
namespace {

template <class T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::vector<std::string_view> SplitSpaces(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n' && text[i] != '\t') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace

Result<StatFields> ParseProcStat(std::string_view text) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return Error{"stat: no (comm)"};
  }
  StatFields out;
  std::string_view pid_text = text.substr(0, open);
  while (!pid_text.empty() && pid_text.back() == ' ') pid_text.remove_suffix(1);
  if (!ParseNumber(pid_text, &out.pid)) return Error{"stat: bad pid"};
  out.comm = std::string(text.substr(open + 1, close - open - 1));
  // After ')': state(3) ppid(4) pgrp(5) session(6) tty_nr(7) ... starttime(22).
  std::vector<std::string_view> fields = SplitSpaces(text.substr(close + 1));
  constexpr size_t kState = 0, kPpid = 1, kTty = 4, kStart = 19;
  if (fields.size() <= kStart) return Error{"stat: too few fields"};
  if (fields[kState].size() != 1) return Error{"stat: bad state"};
  out.state = fields[kState][0];
  if (!ParseNumber(fields[kPpid], &out.ppid)) return Error{"stat: bad ppid"};
  if (!ParseNumber(fields[kTty], &out.tty_nr)) return Error{"stat: bad tty_nr"};
  if (!ParseNumber(fields[kStart], &out.start_ticks)) return Error{"stat: bad starttime"};
  return out;
}

StatusIds ParseProcStatusIds(std::string_view text) {
  StatusIds ids;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.substr(0, 6) == "NSpid:") {
      std::vector<std::string_view> f = SplitSpaces(line.substr(6));
      uint32_t vpid = 0;
      if (!f.empty() && ParseNumber(f.back(), &vpid)) ids.vpid = vpid;
      continue;
    }
    bool is_uid = line.substr(0, 4) == "Uid:";
    bool is_gid = line.substr(0, 4) == "Gid:";
    if (!is_uid && !is_gid) continue;
    std::vector<std::string_view> f = SplitSpaces(line.substr(4));
    uint32_t real = 0, effective = 0;
    if (f.size() < 2 || !ParseNumber(f[0], &real) || !ParseNumber(f[1], &effective)) continue;
    if (is_uid) {
      ids.uid = real;
      ids.euid = effective;
      ids.have_uid = true;
    } else {
      ids.gid = real;
      ids.egid = effective;
      ids.have_gid = true;
    }
  }
  return ids;
}

uint64_t ParseNamespaceLink(std::string_view link) {
  size_t open = link.find(":[");
  if (open == std::string_view::npos || link.empty() || link.back() != ']') return 0;
  uint64_t inode = 0;
  if (!ParseNumber(link.substr(open + 2, link.size() - open - 3), &inode)) return 0;
  return inode;
}

std::string TtyNameFromDevice(uint32_t tty_nr) {
  // new_encode_dev(): minor's low byte in bits 0-7, major in bits 8-19, minor's rest above.
  const uint32_t major = (tty_nr >> 8) & 0xfff;
  const uint32_t minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
  if (tty_nr == 0) return {};
  if (major >= 136 && major <= 143) return "pts/" + std::to_string((major - 136) * 256 + minor);
  if (major == 4 && minor < 64) return "tty" + std::to_string(minor);
  if (major == 4 && minor < 256) return "ttyS" + std::to_string(minor - 64);
  return {};
}

SnapshotResult ReadProcSnapshot(const std::string& proc_root, uint32_t pid, size_t max_args_bytes) {
  SnapshotResult result;
  const std::string dir = proc_root + "/" + std::to_string(pid) + "/";
  FileText stat = ReadSmallFile(dir + "stat", 4096);
  if (!stat.ok()) {
    result.err = stat.err;
    result.outcome =
        IsVanished(stat.err) ? SnapshotOutcome::kVanished : SnapshotOutcome::kUnreadable;
    return result;
  }
  Result<StatFields> fields = ParseProcStat(stat.text);
  // An empty stat is what a process that exited between open and read leaves behind.
  if (!fields) {
    result.outcome = stat.text.empty() ? SnapshotOutcome::kVanished : SnapshotOutcome::kUnreadable;
    return result;
  }
  ProcSnapshot& snap = result.snapshot;
  snap.stat = std::move(fields.value());

  FileText exe = ReadLink(dir + "exe");
  // Kernel threads have no exe (ENOENT while the process lives): not a failure.
  if (exe.ok()) {
    snap.exe = std::move(exe.text);
  } else if (!(exe.err == ENOENT && (snap.stat.pid == 2 || snap.stat.ppid == 2))) {
    snap.missing |= kMissingExe;
  }
  FileText cwd = ReadLink(dir + "cwd");
  if (cwd.ok()) snap.cwd = std::move(cwd.text);
  FileText cmdline = ReadSmallFile(dir + "cmdline", max_args_bytes);
  if (cmdline.ok()) {
    snap.args = std::move(cmdline.text);
    while (!snap.args.empty() && snap.args.back() == '\0') snap.args.pop_back();
  } else {
    snap.missing |= kMissingCmdline;
  }
  FileText status = ReadSmallFile(dir + "status", 16 * 1024);
  if (status.ok()) snap.ids = ParseProcStatusIds(status.text);
  if (!status.ok() || !snap.ids.have_uid || !snap.ids.have_gid) snap.missing |= kMissingStatus;
  FileText loginuid = ReadSmallFile(dir + "loginuid", 32);
  if (!loginuid.ok() || !ParseNumber(std::string_view(loginuid.text), &snap.loginuid)) {
    snap.missing |= kMissingLoginuid;
  }
  FileText cgroup = ReadSmallFile(dir + "cgroup", 16 * 1024);
  if (cgroup.ok()) {
    snap.cgroup = std::move(cgroup.text);
  } else {
    snap.missing |= kMissingCgroup;
  }
  FileText mnt = ReadLink(dir + "ns/mnt");
  snap.mntns = mnt.ok() ? ParseNamespaceLink(mnt.text) : 0;
  if (snap.mntns == 0) snap.missing |= kMissingMntns;
  FileText pidns = ReadLink(dir + "ns/pid");
  snap.pidns = pidns.ok() ? ParseNamespaceLink(pidns.text) : 0;
  if (snap.pidns == 0) snap.missing |= kMissingPidns;
  result.outcome = SnapshotOutcome::kRead;
  return result;
}

}  // namespace vigil::proctree
