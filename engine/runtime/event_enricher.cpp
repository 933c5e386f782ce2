#include "runtime/event_enricher.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "bpf/events.h"
#include "kernel/syscall_table.h"
#include "match/derive.h"

namespace vigil::runtime {
namespace {

using lang::FieldId;

FieldId Id(std::string_view name) {
  auto id = lang::FieldByName(name);
  if (!id) throw std::logic_error("field registry lacks " + std::string(name));
  return *id;
}

// Field ids resolved once.
struct Ids {
  FieldId evt_time = Id("evt.time"), evt_boottime = Id("evt.boottime"),
          evt_retval = Id("evt.retval");
  FieldId pid = Id("proc.pid"), tid = Id("proc.tid"), ppid = Id("proc.ppid"),
          entity = Id("proc.entity"), start = Id("proc.start"), name = Id("proc.name"),
          exe = Id("proc.exe"), args = Id("proc.args"), argv0 = Id("proc.argv0"),
          tty = Id("proc.tty"), uid = Id("proc.uid"), euid = Id("proc.euid"), gid = Id("proc.gid"),
          loginuid = Id("proc.loginuid"), exe_memfd = Id("proc.exe_memfd"),
          mntns = Id("proc.mntns"), pidns = Id("proc.pidns"), stdin_type = Id("proc.stdin.type"),
          stdout_type = Id("proc.stdout.type"), is_new_exe = Id("proc.is_new_exe");
  FieldId anc_name = Id("proc.ancestors.name"), anc_exe = Id("proc.ancestors.exe"),
          parent_pid = Id("proc.parent.pid"), parent_cmdline = Id("proc.parent.cmdline");
  FieldId cid = Id("container.id"), runtime = Id("container.runtime"), cname = Id("container.name"),
          pod_uid = Id("k8s.pod.uid"), pod_name = Id("k8s.pod.name"), k8s_ns = Id("k8s.ns");
  FieldId exec_filename = Id("exec.filename"), exec_trunc = Id("exec.args_truncated"),
          exit_code = Id("exit.code"), exit_signal = Id("exit.signal");
  FieldId file_path = Id("file.path"), file_newpath = Id("file.newpath"),
          open_flags = Id("open.flags"), open_mode = Id("open.mode"), chmod_mode = Id("chmod.mode"),
          chown_uid = Id("chown.uid"), chown_gid = Id("chown.gid"), memfd_name = Id("memfd.name"),
          memfd_flags = Id("memfd.flags");
  FieldId family = Id("net.family"), type = Id("net.type"), proto = Id("net.proto"),
          saddr = Id("net.saddr"), sport = Id("net.sport"), daddr = Id("net.daddr"),
          dport = Id("net.dport"), state = Id("net.state"), oldstate = Id("net.oldstate"),
          backlog = Id("listen.backlog");
  FieldId ptrace_req = Id("ptrace.request"), ptrace_pid = Id("ptrace.target.pid"),
          ptrace_name = Id("ptrace.target.name"), signal = Id("signal.number"),
          signal_pid = Id("signal.target.pid"), module = Id("module.name"),
          mnt_source = Id("mount.source"), mnt_target = Id("mount.target"),
          mnt_fstype = Id("mount.fstype"), mnt_flags = Id("mount.flags"),
          setuid_uid = Id("setuid.uid"), setgid_gid = Id("setgid.gid"),
          prctl_option = Id("prctl.option"), prctl_name = Id("prctl.name"),
          setns_type = Id("setns.nstype");
};

const Ids& I() {
  static const Ids ids;
  return ids;
}

std::optional<lang::EventType> RegistryType(uint16_t kernel_type) {
  // bpf/events.h numbers event types from 1 in the registry's order (lang/events.h).
  if (kernel_type == VIGIL_EVT_NONE || kernel_type >= VIGIL_EVT_MAX) return std::nullopt;
  return static_cast<lang::EventType>(kernel_type - 1);
}

// The value of a named syscall argument, if the syscall has it.
std::optional<uint64_t> Arg(const kernel::Event& e, std::string_view name) {
  for (uint8_t i = 0; i < e.arg_count && i < e.args.size(); ++i)
    if (e.args[i].name && name == e.args[i].name) return e.args[i].value;
  return std::nullopt;
}

// A named string of the syscall (path, newpath, target, name, source, fstype).
const std::string* Str(const kernel::Event& e, std::string_view name) {
  const kernel::SyscallInfo* info = kernel::SyscallById(e.syscall);
  if (!info) return nullptr;
  for (size_t i = 0; i < info->string_names.size(); ++i)
    if (info->string_names[i] && name == info->string_names[i]) return &e.strings[i];
  return nullptr;
}

void SetStr(match::EventRecord& r, FieldId id, const std::string* s) {
  if (s) r.SetString(id, *s);
}

void SetArg(match::EventRecord& r, FieldId id, const kernel::Event& e, std::string_view name) {
  if (auto v = Arg(e, name)) r.SetInt(id, static_cast<int64_t>(*v));
}

// The id a set*id call asks for: setuid's argument, else the effective id unless it is -1
// ("unchanged"), else the real id.
std::optional<int64_t> RequestedId(const kernel::Event& e, std::string_view plain,
                                   std::string_view effective, std::string_view real) {
  if (auto v = Arg(e, plain)) return static_cast<int64_t>(*v);
  if (auto v = Arg(e, effective); v && static_cast<int64_t>(*v) != -1)
    return static_cast<int64_t>(*v);
  if (auto v = Arg(e, real); v && static_cast<int64_t>(*v) != -1) return static_cast<int64_t>(*v);
  return std::nullopt;
}

// What a process's file descriptor is, from /proc: "socket", "pipe", "tty", "null", "file",
// or "none" when it is closed. Empty when /proc no longer has the process.
std::string_view DescriptorType(uint32_t pid, int fd) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%u/fd/%d", pid, fd);
  char target[256];
  ssize_t n = ::readlink(path, target, sizeof target - 1);
  if (n < 0) {
    // The descriptor is closed, or the whole process is gone.
    std::snprintf(path, sizeof path, "/proc/%u", pid);
    return ::access(path, F_OK) == 0 ? "none" : "";
  }
  std::string_view t(target, static_cast<size_t>(n));
  if (t.rfind("socket:", 0) == 0) return "socket";
  if (t.rfind("pipe:", 0) == 0) return "pipe";
  if (t == "/dev/null") return "null";
  if (t.rfind("/dev/pts/", 0) == 0 || t.rfind("/dev/tty", 0) == 0 || t == "/dev/console")
    return "tty";
  return "file";
}

// The executable's path as the kernel gave it; when the kernel could not name it (an anonymous
// memory file has no path below the root, so the walk ends at "/"), or cut it short, the
// process's /proc/PID/exe link, which says "/memfd:NAME (deleted)" for fileless execution.
std::string ExePath(const kernel::Event& e) {
  if (!e.exe.empty() && e.exe != "/" && !e.exe_truncated) return e.exe;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%u/exe", e.pid);
  char target[4096];
  ssize_t n = ::readlink(path, target, sizeof target - 1);
  if (n <= 0) return e.exe;
  return std::string(target, static_cast<size_t>(n));
}

// Whether the running image's file was modified after `since` (wall clock): a binary dropped
// (downloaded, compiled, copied) while vigil was watching. Read from /proc/PID/exe, which
// still reaches a file that was deleted after the exec.
std::optional<bool> ExeWrittenSince(uint32_t pid, const timespec& since) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%u/exe", pid);
  struct stat st;
  if (::stat(path, &st) != 0) return std::nullopt;
  return st.st_mtim.tv_sec > since.tv_sec ||
         (st.st_mtim.tv_sec == since.tv_sec && st.st_mtim.tv_nsec >= since.tv_nsec);
}

void SetAddr(match::EventRecord& r, FieldId addr_id, FieldId port_id, const kernel::SockAddr& a) {
  if (!a.is_ip()) return;
  r.SetAddress(addr_id, a.ip);
  r.SetInt(port_id, a.port);
}

}  // namespace

EventEnricher::EventEnricher(proctree::ProcessTree& tree, kernel::ClockSource clock)
    : tree_(tree), clock_(clock) {
  ::clock_gettime(CLOCK_REALTIME, &started_);
  SyncWallClock();
}

void EventEnricher::SyncWallClock() {
  timespec wall;
  ::clock_gettime(CLOCK_REALTIME, &wall);
  uint64_t now = kernel::ClockNowNs(clock_);
  wall_offset_ns_ = static_cast<int64_t>(wall.tv_sec) * 1'000'000'000LL + wall.tv_nsec -
                    static_cast<int64_t>(now);
}

// What fork and exec inputs share: who the process is and when.
template <class Input>
Input LifecycleInput(const kernel::Event& e) {
  Input in;
  in.pid = e.pid;
  in.ppid = e.ppid;
  in.entity = e.entity;
  in.parent_entity = e.parent_entity;
  in.start_ns = e.start_ns;
  in.ts_ns = e.ts_ns;
  in.comm = e.comm;
  in.uid = e.uid;
  in.gid = e.gid;
  return in;
}

void EventEnricher::Observe(const kernel::Event& e) {
  switch (e.type) {
    case VIGIL_EVT_FORK:
      tree_.OnFork(LifecycleInput<proctree::ForkInput>(e));
      break;
    case VIGIL_EVT_EXEC: {
      const std::string exe = ExePath(e);
      auto in = LifecycleInput<proctree::ExecInput>(e);
      in.exe = exe;
      in.tty = e.tty;
      in.args = e.argv;
      in.args_truncated = e.argv_truncated;
      in.euid = e.euid;
      in.loginuid = e.loginuid;
      in.mntns = e.mntns;
      in.pidns = e.pidns;
      in.cgroup_id = e.cgroup_id;
      tree_.OnExec(in);
      break;
    }
    case VIGIL_EVT_EXIT: {
      proctree::ExitInput in;
      in.pid = e.pid;
      in.entity = e.entity;
      in.start_ns = e.start_ns;
      in.ts_ns = e.ts_ns;
      in.exit_status = e.exit_status;
      tree_.OnExit(in);
      break;
    }
    default:
      break;
  }
}

bool EventEnricher::Fill(const kernel::Event& e, match::EventRecord& out) {
  out.Clear();
  auto type = RegistryType(e.type);
  if (!type) {
    ++stats_.unknown_type;
    return false;
  }
  ++stats_.events;
  out.set_type(*type);
  out.set_policies(e.matched);
  out.set_policy_version(e.policy_version);
  const Ids& ids = I();
  out.SetUint(ids.evt_boottime, e.ts_ns);
  out.SetUint(ids.evt_time, static_cast<uint64_t>(static_cast<int64_t>(e.ts_ns) + wall_offset_ns_));
  if (e.syscall != 0) out.SetInt(ids.evt_retval, e.retval);
  FillProcess(e, out);
  FillSyscall(e, out);
  match::DeriveFields(out);
  return true;
}

void EventEnricher::FillProcess(const kernel::Event& e, match::EventRecord& out) {
  const Ids& ids = I();
  out.SetInt(ids.pid, e.pid);
  out.SetInt(ids.tid, e.tid);
  out.SetUint(ids.uid, e.uid);
  out.SetUint(ids.gid, e.gid);
  if (e.entity) out.SetUint(ids.entity, e.entity);
  const proctree::Process* p = e.entity ? tree_.LookupEntity(e.entity) : nullptr;
  if (!p) p = tree_.Lookup(e.pid);
  if (!p) {
    ++stats_.unknown_process;
    out.SetString(ids.name, e.comm);
    if (e.ppid) out.SetInt(ids.ppid, e.ppid);
    out.set_incomplete(true);
    return;
  }
  out.SetInt(ids.ppid, p->ppid ? p->ppid : e.ppid);
  out.SetUint(ids.entity, p->entity);
  out.SetUint(ids.start, p->start_ns);
  // The kernel's comm is the freshest name (prctl may have changed it since exec).
  out.SetString(ids.name, e.comm.empty() ? p->comm.view() : std::string_view(e.comm));
  out.SetString(ids.exe, p->exe.view());
  out.ClearList(ids.args);
  const auto arg_list = p->ArgList();
  for (auto a : arg_list) out.AppendToList(ids.args, a);
  if (!arg_list.empty()) out.SetString(ids.argv0, arg_list.front());
  out.SetString(ids.tty, p->tty.view());
  out.SetUint(ids.euid, p->euid);
  out.SetUint(ids.loginuid, p->loginuid);
  out.SetUint(ids.mntns, p->mntns);
  out.SetUint(ids.pidns, p->pidns);
  out.SetBool(ids.exe_memfd, p->exe.view().rfind("/memfd:", 0) == 0);

  auto lineage = tree_.Ancestors(*p);
  out.ClearList(ids.anc_name);
  out.ClearList(ids.anc_exe);
  for (const auto* a : lineage.ancestors) {
    out.AppendToList(ids.anc_name, a->comm.view());
    out.AppendToList(ids.anc_exe, a->exe.view());
  }
  if (!lineage.ancestors.empty()) {
    out.SetInt(ids.parent_pid, lineage.ancestors[0]->pid);
    out.SetString(ids.parent_cmdline, lineage.ancestors[0]->Cmdline());
  }
  if (p->container) {
    const auto& c = *p->container;
    out.SetString(ids.cid, c.identity.id);
    if (!c.identity.runtime.empty()) out.SetString(ids.runtime, c.identity.runtime);
    if (!c.pod.container_name.empty()) out.SetString(ids.cname, c.pod.container_name);
    const std::string& pod_uid = c.pod.pod_uid.empty() ? c.identity.pod_uid : c.pod.pod_uid;
    if (!pod_uid.empty()) out.SetString(ids.pod_uid, pod_uid);
    if (!c.pod.pod_name.empty()) out.SetString(ids.pod_name, c.pod.pod_name);
    if (!c.pod.pod_namespace.empty()) out.SetString(ids.k8s_ns, c.pod.pod_namespace);
  } else {
    out.SetString(ids.cid, "");
  }
  if (!tree_.ContextComplete(*p)) out.set_incomplete(true);
}

void EventEnricher::FillSyscall(const kernel::Event& e, match::EventRecord& out) {
  const Ids& ids = I();
  switch (e.type) {
    case VIGIL_EVT_EXEC: {
      out.SetString(ids.exec_filename, e.filename);
      out.SetBool(ids.exec_trunc, e.argv_truncated);
      // Standard streams, read from /proc while the new image runs (a reverse shell's are a
      // socket). A process that has already exited leaves the fields absent.
      std::string_view in = DescriptorType(e.pid, 0), stdout_kind = DescriptorType(e.pid, 1);
      if (!in.empty()) out.SetString(ids.stdin_type, in);
      if (!stdout_kind.empty()) out.SetString(ids.stdout_type, stdout_kind);
      if (auto fresh = ExeWrittenSince(e.pid, started_)) out.SetBool(ids.is_new_exe, *fresh);
      break;
    }
    case VIGIL_EVT_EXIT:
      out.SetInt(ids.exit_code, (e.exit_status >> 8) & 0xff);
      out.SetInt(ids.exit_signal, e.exit_status & 0x7f);
      break;
    case VIGIL_EVT_OPEN:
      SetStr(out, ids.file_path, Str(e, "path"));
      if (auto flags = Arg(e, "flags")) {
        out.SetUint(ids.open_flags, *flags);
      } else if (e.syscall == VIGIL_SC_creat) {
        out.SetUint(ids.open_flags, 01 | 0100 | 01000);  // O_WRONLY | O_CREAT | O_TRUNC
      }
      if (auto mode = Arg(e, "mode")) out.SetUint(ids.open_mode, *mode);
      break;
    case VIGIL_EVT_CONNECT:
    case VIGIL_EVT_ACCEPT:
    case VIGIL_EVT_BIND:
      if (e.has_addr) {
        out.SetInt(ids.family, e.addr.family);
        if (e.type == VIGIL_EVT_BIND)
          SetAddr(out, ids.saddr, ids.sport, e.addr);
        else
          SetAddr(out, ids.daddr, ids.dport, e.addr);
      }
      break;
    case VIGIL_EVT_LISTEN:
      SetArg(out, ids.backlog, e, "backlog");
      break;
    case VIGIL_EVT_SOCKET:
      SetArg(out, ids.family, e, "family");
      if (auto t = Arg(e, "type")) out.SetInt(ids.type, static_cast<int64_t>(*t & 0xf));
      SetArg(out, ids.proto, e, "protocol");
      break;
    case VIGIL_EVT_TCP_STATE:
      out.SetInt(ids.family, e.local.family);
      out.SetInt(ids.proto, e.protocol);
      SetAddr(out, ids.saddr, ids.sport, e.local);
      SetAddr(out, ids.daddr, ids.dport, e.remote);
      out.SetInt(ids.state, e.newstate);
      out.SetInt(ids.oldstate, e.oldstate);
      break;
    case VIGIL_EVT_PTRACE: {
      SetArg(out, ids.ptrace_req, e, "request");
      if (auto target = Arg(e, "target_pid")) {
        out.SetInt(ids.ptrace_pid, static_cast<int64_t>(*target));
        if (const auto* t = tree_.Lookup(static_cast<uint32_t>(*target)))
          out.SetString(ids.ptrace_name, t->comm.view());
      }
      break;
    }
    case VIGIL_EVT_MEMFD_CREATE:
      SetStr(out, ids.memfd_name, Str(e, "name"));
      if (auto f = Arg(e, "flags")) out.SetUint(ids.memfd_flags, *f);
      break;
    case VIGIL_EVT_UNLINK:
      SetStr(out, ids.file_path, Str(e, "path"));
      break;
    case VIGIL_EVT_RENAME:
    case VIGIL_EVT_LINK:
      SetStr(out, ids.file_path, Str(e, "path"));
      SetStr(out, ids.file_newpath, Str(e, "newpath"));
      break;
    case VIGIL_EVT_SYMLINK:
      SetStr(out, ids.file_path, Str(e, "target"));
      SetStr(out, ids.file_newpath, Str(e, "path"));
      break;
    case VIGIL_EVT_CHMOD:
      SetStr(out, ids.file_path, Str(e, "path"));
      if (auto m = Arg(e, "mode")) out.SetUint(ids.chmod_mode, *m);
      break;
    case VIGIL_EVT_CHOWN:
      SetStr(out, ids.file_path, Str(e, "path"));
      SetArg(out, ids.chown_uid, e, "uid");
      SetArg(out, ids.chown_gid, e, "gid");
      break;
    case VIGIL_EVT_SETUID:
      if (auto id = RequestedId(e, "uid", "euid", "ruid")) out.SetInt(ids.setuid_uid, *id);
      break;
    case VIGIL_EVT_SETGID:
      if (auto id = RequestedId(e, "gid", "egid", "rgid")) out.SetInt(ids.setgid_gid, *id);
      break;
    case VIGIL_EVT_MOUNT:
      SetStr(out, ids.mnt_source, Str(e, "source"));
      SetStr(out, ids.mnt_target, Str(e, "target"));
      SetStr(out, ids.mnt_fstype, Str(e, "fstype"));
      if (auto f = Arg(e, "flags")) out.SetUint(ids.mnt_flags, *f);
      break;
    case VIGIL_EVT_UMOUNT:
      SetStr(out, ids.mnt_target, Str(e, "target"));
      break;
    case VIGIL_EVT_MODULE_LOAD:
      if (const std::string* params = Str(e, "params"); params && !params->empty())
        out.SetString(ids.module, *params);
      break;
    case VIGIL_EVT_KILL:
      SetArg(out, ids.signal, e, "signal");
      SetArg(out, ids.signal_pid, e, "target_pid");
      break;
    case VIGIL_EVT_PRCTL:
      SetArg(out, ids.prctl_option, e, "option");
      if (const std::string* name = Str(e, "name"); name && !name->empty())
        out.SetString(ids.prctl_name, *name);
      break;
    case VIGIL_EVT_SETNS:
      if (auto t = Arg(e, "nstype")) out.SetUint(ids.setns_type, *t & 0xffffffffu);
      break;
    default:
      break;
  }
}

}  // namespace vigil::runtime
