#include "runtime/event_enricher.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "bpf/events.h"
#include "kernel/syscall_table.h"
#include "match/derive.h"

namespace vigil::runtime {
namespace {

using lang::FieldId;

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

constexpr int64_t kPtraceTraceme = 0;

// The parent (tgid) of a process or thread from /proc/PID/stat; nullopt when it is gone.
std::optional<uint32_t> ProcParent(uint32_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%u/stat", pid);
  FILE* f = std::fopen(path, "re");
  if (!f) return std::nullopt;
  char buf[512];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // "pid (comm) state ppid ...": the name may hold anything, so parse after its last ')'.
  const char* close = std::strrchr(buf, ')');
  unsigned state_ppid = 0;
  char state = 0;
  if (!close || std::sscanf(close + 1, " %c %u", &state, &state_ppid) != 2) return std::nullopt;
  return state_ppid;
}

// The executable's path as the kernel gave it; when the kernel could not name it (an anonymous
// memory file has no path below the root, so the walk ends at "/"), or cut it short, the
// process's /proc/PID/exe link, which says "/memfd:NAME (deleted)" for fileless execution, read
// into `link` (the result then points into it).
std::string_view ExePath(const kernel::Event& e, std::string& link) {
  if (!e.exe.empty() && e.exe != "/" && !e.exe_truncated) return e.exe;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%u/exe", e.pid);
  char target[4096];
  ssize_t n = ::readlink(path, target, sizeof target - 1);
  if (n <= 0) return e.exe;
  link.assign(target, static_cast<size_t>(n));
  return link;
}

bool NotBefore(int64_t sec, int64_t nsec, const timespec& since) {
  return sec > since.tv_sec || (sec == since.tv_sec && nsec >= since.tv_nsec);
}

// Whether the running image's file was modified after `since` (wall clock): a binary dropped
// (downloaded, compiled, copied) while vigil was watching. From the inode's mtime the kernel
// read at exec; else from /proc/PID/exe, which still reaches a file deleted after the exec.
std::optional<bool> ExeWrittenSince(const kernel::Event& e, const timespec& since) {
  if (e.has_exe_mtime) return NotBefore(e.exe_mtime_sec, e.exe_mtime_nsec, since);
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%u/exe", e.pid);
  struct stat st;
  if (::stat(path, &st) != 0) return std::nullopt;
  return NotBefore(st.st_mtim.tv_sec, st.st_mtim.tv_nsec, since);
}

// The caller's credentials before a set*id or capset call, as the kernel read them at entry.
void SetCredentials(const kernel::Event& e, match::EventRecord& r) {
  if (!e.has_cred) return;
  r.SetUint(FieldId::kCredUid, e.cred.uid);
  r.SetUint(FieldId::kCredEuid, e.cred.euid);
  r.SetUint(FieldId::kCredSuid, e.cred.suid);
  r.SetUint(FieldId::kCredFsuid, e.cred.fsuid);
  r.SetUint(FieldId::kCredGid, e.cred.gid);
  r.SetUint(FieldId::kCredEgid, e.cred.egid);
  r.SetUint(FieldId::kCredCapEffective, e.cred.cap_effective);
  r.SetUint(FieldId::kCredCapPermitted, e.cred.cap_permitted);
}

void SetAddr(match::EventRecord& r, FieldId addr_id, FieldId port_id, const kernel::SockAddr& a) {
  if (!a.is_ip()) return;
  r.SetAddress(addr_id, a.ip);
  r.SetInt(port_id, a.port);
}

}  // namespace

EventEnricher::EventEnricher(proctree::ProcessTree& tree, kernel::ClockSource clock,
                             EnricherOptions options)
    : tree_(tree),
      clock_(clock),
      host_(std::move(options.host)),
      users_(std::move(options.users)),
      layers_(options.proc_root),
      proc_root_(std::move(options.proc_root)),
      stdio_(std::move(options.tty_drivers)),
      env_names_(std::move(options.env_names)) {
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
      auto in = LifecycleInput<proctree::ExecInput>(e);
      in.exe = ExePath(e, exe_link_);
      in.tty = e.tty;
      in.tty_dev = e.tty_dev;
      in.cwd = e.cwd;
      in.vpid = e.vpid;
      // Into env_scratch_'s elements in place (their storage kept from exec to exec).
      size_t kept = 0;
      for (const std::string& entry : e.env) {
        std::string_view name = std::string_view(entry).substr(0, entry.find('='));
        for (const std::string& wanted : env_names_)
          if (name == wanted && entry.size() > name.size()) {
            if (kept < env_scratch_.size())
              env_scratch_[kept].assign(entry);
            else
              env_scratch_.push_back(entry);
            ++kept;
            break;
          }
      }
      in.env = std::span<const std::string>(env_scratch_.data(), kept);
      in.env_truncated = e.env_truncated;
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
  auto type = lang::EventTypeFromKernel(e.type);
  if (!type) {
    ++stats_.unknown_type;
    return false;
  }
  ++stats_.events;
  out.set_type(*type);
  out.set_policies(e.matched);
  out.set_policy_version(e.policy_version);
  out.SetUint(FieldId::kEvtBoottime, e.ts_ns);
  out.SetUint(FieldId::kEvtTime, WallTimeNs(e.ts_ns));
  if (e.syscall != 0) {
    out.SetInt(FieldId::kEvtRetval, e.retval);
    if (const kernel::SyscallInfo* info = kernel::SyscallById(e.syscall))
      out.SetString(FieldId::kEvtSyscall, info->name);
  }
  host_.Refresh(e.ts_ns);
  if (!host_.name().empty()) out.SetString(FieldId::kHostName, host_.name());
  if (!host_.id().empty()) out.SetString(FieldId::kHostId, host_.id());
  FillProcess(e, out);
  FillEventFields(e, out);
  match::DeriveFields(out);
  return true;
}

void EventEnricher::FillProcess(const kernel::Event& e, match::EventRecord& out) {
  out.SetInt(FieldId::kProcPid, e.pid);
  out.SetInt(FieldId::kProcTid, e.tid);
  out.SetUint(FieldId::kProcUid, e.uid);
  out.SetUint(FieldId::kProcGid, e.gid);
  if (e.entity) out.SetUint(FieldId::kProcEntity, e.entity);
  const proctree::Process* p = e.entity ? tree_.LookupEntity(e.entity) : nullptr;
  if (!p) p = tree_.Lookup(e.pid);
  process_ = p;
  if (!p) {
    ++stats_.unknown_process;
    out.SetString(FieldId::kProcName, e.comm);
    if (e.ppid) out.SetInt(FieldId::kProcPpid, e.ppid);
    out.set_incomplete(true);
    return;
  }
  out.SetInt(FieldId::kProcPpid, p->ppid ? p->ppid : e.ppid);
  out.SetUint(FieldId::kProcEntity, p->entity);
  out.SetUint(FieldId::kProcStart, p->start_ns);
  // The kernel's comm is the freshest name (prctl may have changed it since exec).
  out.SetString(FieldId::kProcName, e.comm.empty() ? p->comm.view() : std::string_view(e.comm));
  out.SetString(FieldId::kProcExe, p->exe.view());
  out.ClearList(FieldId::kProcArgs);
  bool first = true;
  p->ForEachArg([&](std::string_view a) {
    out.AppendToList(FieldId::kProcArgs, a);
    if (first) out.SetString(FieldId::kProcArgv0, a);
    first = false;
  });
  out.SetBool(FieldId::kProcArgsTruncated, (p->flags & proctree::kProcArgsTruncated) != 0);
  out.SetString(FieldId::kProcTty, p->tty.view());
  out.SetUint(FieldId::kProcTtyDev, p->tty_dev);
  if (p->vpid) out.SetInt(FieldId::kProcVpid, p->vpid);
  if (!p->cwd.empty()) out.SetString(FieldId::kProcCwd, p->cwd.view());
  if (p->has(proctree::kProcEnvKnown)) {
    out.ClearList(FieldId::kProcEnv);
    p->ForEachEnv([&](std::string_view v) { out.AppendToList(FieldId::kProcEnv, v); });
    out.SetBool(FieldId::kProcEnvTruncated, p->has(proctree::kProcEnvTruncated));
  }
  out.SetUint(FieldId::kProcEuid, p->euid);
  out.SetUint(FieldId::kProcLoginuid, p->loginuid);
  out.SetUint(FieldId::kProcMntns, p->mntns);
  out.SetUint(FieldId::kProcPidns, p->pidns);
  out.SetBool(FieldId::kProcExeMemfd, p->exe.view().rfind("/memfd:", 0) == 0);

  tree_.Ancestors(*p, &lineage_);
  out.ClearList(FieldId::kProcAncestorsName);
  out.ClearList(FieldId::kProcAncestorsExe);
  for (const auto* a : lineage_.ancestors) {
    out.AppendToList(FieldId::kProcAncestorsName, a->comm.view());
    out.AppendToList(FieldId::kProcAncestorsExe, a->exe.view());
  }
  if (!lineage_.ancestors.empty()) out.SetInt(FieldId::kProcParentPid, lineage_.ancestors[0]->pid);
  if (p->container) {
    const auto& c = *p->container;
    out.SetString(FieldId::kContainerId, c.identity.id);
    if (!c.identity.runtime.empty()) out.SetString(FieldId::kContainerRuntime, c.identity.runtime);
    if (!c.pod.container_name.empty()) out.SetString(FieldId::kContainerName, c.pod.container_name);
    const std::string& pod_uid = c.pod.pod_uid.empty() ? c.identity.pod_uid : c.pod.pod_uid;
    if (!pod_uid.empty()) out.SetString(FieldId::kK8sPodUid, pod_uid);
    if (!c.pod.pod_name.empty()) out.SetString(FieldId::kK8sPodName, c.pod.pod_name);
    if (!c.pod.pod_namespace.empty()) out.SetString(FieldId::kK8sNs, c.pod.pod_namespace);
    if (!c.pod.labels.empty()) {
      out.ClearList(FieldId::kK8sPodLabels);
      for (const auto& [key, value] : c.pod.labels) {
        text_.assign(key).append("=").append(value);
        out.AppendToList(FieldId::kK8sPodLabels, text_);
      }
    }
    if (!c.pod.image.empty()) out.SetString(FieldId::kContainerImage, c.pod.image);
    if (!c.pod.image_digest.empty())
      out.SetString(FieldId::kContainerImageDigest, c.pod.image_digest);
    if (c.pod.spec_read) {
      out.SetBool(FieldId::kContainerPrivileged, c.pod.privileged);
      out.ClearList(FieldId::kContainerHostNamespaces);
      for (const auto& ns : c.pod.host_namespaces)
        out.AppendToList(FieldId::kContainerHostNamespaces, ns);
    }
  } else {
    out.SetString(FieldId::kContainerId, "");
  }
  FillUser(e, *p, out);
  if (!tree_.ContextComplete(*p)) out.set_incomplete(true);
}

// user.name from the passwd file the process's programs see (the container's own inside a
// container), user.loginname from the host's. The event's uid is the freshest (set*id).
void EventEnricher::FillUser(const kernel::Event& e, const proctree::Process& p,
                             match::EventRecord& out) {
  std::optional<std::string_view> name =
      p.container ? users_.ContainerName(p.container->identity.id, e.pid, e.uid, e.ts_ns)
                  : users_.HostName(e.uid, e.ts_ns);
  if (name) out.SetString(FieldId::kUserName, *name);
  if (p.loginuid != 0xffffffffu)
    if (auto login = users_.HostName(p.loginuid, e.ts_ns))
      out.SetString(FieldId::kUserLoginname, *login);
}

// Each event type's own fields, by family. A type the family does not hold is left alone.

void EventEnricher::FillLifecycle(const kernel::Event& e, match::EventRecord& out) {
  if (e.type == VIGIL_EVT_EXEC) {
    out.SetString(FieldId::kExecFilename, e.filename);
    out.SetBool(FieldId::kExecArgsTruncated, e.argv_truncated);
  } else if (e.type == VIGIL_EVT_EXIT) {
    out.SetInt(FieldId::kExitCode, (e.exit_status >> 8) & 0xff);
    out.SetInt(FieldId::kExitSignal, e.exit_status & 0x7f);
  }
}

namespace {

// dup, dup2, dup3, fcntl(F_DUPFD*): which descriptor became which, and the socket's peer.
void FillDup(const kernel::Event& e, match::EventRecord& out) {
  SetArg(out, FieldId::kDupOldfd, e, "oldfd");
  if (e.syscall == VIGIL_SC_dup2 || e.syscall == VIGIL_SC_dup3)
    SetArg(out, FieldId::kDupNewfd, e, "newfd");
  else if (e.retval >= 0)
    out.SetInt(FieldId::kDupNewfd, e.retval);
  out.SetBool(FieldId::kDupSocket, e.has_addr);
  if (e.has_addr) {
    out.SetInt(FieldId::kNetFamily, e.addr.family);
    SetAddr(out, FieldId::kNetDaddr, FieldId::kNetDport, e.addr);
  }
}

void FillFsconfig(const kernel::Event& e, match::EventRecord& out) {
  const std::string* key = Str(e, "key");
  if (!key || key->empty()) return;
  out.SetString(FieldId::kMountConfigKey, *key);
  auto cmd = Arg(e, "cmd");
  constexpr uint64_t kSetString = 1, kSetPath = 3, kSetPathEmpty = 4;
  if (!cmd || (*cmd != kSetString && *cmd != kSetPath && *cmd != kSetPathEmpty)) return;
  const std::string* value = Str(e, "value");
  if (!value) return;
  out.SetString(FieldId::kMountConfigValue, *value);
  if (*key == "source") out.SetString(FieldId::kMountSource, *value);
}

// security.capability's value (struct vfs_cap_data, linux/capability.h): magic_etc, then
// {permitted, inheritable} for the low and (revisions 2 and 3) the high 32 capabilities.
void FillFileCaps(const std::string& v, match::EventRecord& out) {
  if (v.size() < 12) return;
  auto word = [&](size_t i) {
    uint32_t w;
    std::memcpy(&w, v.data() + 4 * i, sizeof w);
    return uint64_t{w};
  };
  const uint64_t magic = word(0);
  constexpr uint64_t kRevisionMask = 0xff000000, kRevision1 = 0x01000000, kEffective = 1;
  uint64_t permitted = word(1), inheritable = word(2);
  if ((magic & kRevisionMask) != kRevision1) {  // revisions 2 and 3 carry the high halves
    if (v.size() < 20) return;
    permitted |= word(3) << 32;
    inheritable |= word(4) << 32;
  }
  out.SetUint(FieldId::kXattrCaps, permitted);
  out.SetUint(FieldId::kXattrCapsInheritable, inheritable);
  out.SetBool(FieldId::kXattrCapsEffective, (magic & kEffective) != 0);
}

void FillXattr(const kernel::Event& e, match::EventRecord& out) {
  SetStr(out, FieldId::kFilePath, Str(e, "path"));
  const std::string* name = Str(e, "name");
  SetStr(out, FieldId::kXattrName, name);
  const bool remove = e.syscall == VIGIL_SC_removexattr || e.syscall == VIGIL_SC_lremovexattr ||
                      e.syscall == VIGIL_SC_fremovexattr || e.syscall == VIGIL_SC_removexattrat;
  out.SetBool(FieldId::kXattrRemove, remove);
  if (remove) return;
  SetArg(out, FieldId::kXattrSize, e, "size");
  if (name && *name == "security.capability") FillFileCaps(e.xattr_value, out);
}

// utimensat's special nanosecond values (linux/stat.h).
constexpr int64_t kUtimeNow = (1 << 30) - 1, kUtimeOmit = (1 << 30) - 2;

void FillUtimes(const kernel::Event& e, match::EventRecord& out) {
  SetStr(out, FieldId::kFilePath, Str(e, "path"));
  const FieldId value[2] = {FieldId::kUtimesAtime, FieldId::kUtimesMtime};
  const FieldId request[2] = {FieldId::kUtimesAtimeRequest, FieldId::kUtimesMtimeRequest};
  for (int i = 0; i < 2; ++i) {
    if (!e.has_times || e.time_nsec[i] == kUtimeNow) {  // no times given: both now
      out.SetString(request[i], "now");
    } else if (e.time_nsec[i] == kUtimeOmit) {
      out.SetString(request[i], "omit");
    } else {
      out.SetString(request[i], "set");
      out.SetInt(value[i], e.time_sec[i] * 1'000'000'000 + e.time_nsec[i]);
    }
  }
}

void FillFile(const kernel::Event& e, match::EventRecord& out) {
  switch (e.type) {
    case VIGIL_EVT_OPEN:
      SetStr(out, FieldId::kFilePath, Str(e, "path"));
      if (auto flags = Arg(e, "flags")) {
        out.SetUint(FieldId::kOpenFlags, *flags);
      } else if (e.syscall == VIGIL_SC_creat) {
        out.SetUint(FieldId::kOpenFlags, 01 | 0100 | 01000);  // O_WRONLY | O_CREAT | O_TRUNC
      }
      if (auto mode = Arg(e, "mode")) out.SetUint(FieldId::kOpenMode, *mode);
      break;
    case VIGIL_EVT_UNLINK:
      SetStr(out, FieldId::kFilePath, Str(e, "path"));
      break;
    case VIGIL_EVT_RENAME:
    case VIGIL_EVT_LINK:
      SetStr(out, FieldId::kFilePath, Str(e, "path"));
      SetStr(out, FieldId::kFileNewpath, Str(e, "newpath"));
      break;
    case VIGIL_EVT_SYMLINK:
      SetStr(out, FieldId::kFilePath, Str(e, "target"));
      SetStr(out, FieldId::kFileNewpath, Str(e, "path"));
      break;
    case VIGIL_EVT_CHMOD:
      SetStr(out, FieldId::kFilePath, Str(e, "path"));
      if (auto m = Arg(e, "mode")) out.SetUint(FieldId::kChmodMode, *m);
      break;
    case VIGIL_EVT_CHOWN:
      SetStr(out, FieldId::kFilePath, Str(e, "path"));
      SetArg(out, FieldId::kChownUid, e, "uid");
      SetArg(out, FieldId::kChownGid, e, "gid");
      break;
    case VIGIL_EVT_MEMFD_CREATE:
      SetStr(out, FieldId::kMemfdName, Str(e, "name"));
      if (auto f = Arg(e, "flags")) out.SetUint(FieldId::kMemfdFlags, *f);
      break;
    case VIGIL_EVT_MOUNT:
      SetStr(out, FieldId::kMountSource, Str(e, "source"));
      SetStr(out, FieldId::kMountTarget, Str(e, "target"));
      SetStr(out, FieldId::kMountFstype, Str(e, "fstype"));
      if (e.syscall == VIGIL_SC_mount)
        if (auto f = Arg(e, "flags")) out.SetUint(FieldId::kMountFlags, *f);
      if (e.syscall == VIGIL_SC_fsconfig) FillFsconfig(e, out);
      break;
    case VIGIL_EVT_UMOUNT:
      SetStr(out, FieldId::kMountTarget, Str(e, "target"));
      break;
    case VIGIL_EVT_XATTR:
      FillXattr(e, out);
      break;
    case VIGIL_EVT_UTIMES:
      FillUtimes(e, out);
      break;
    case VIGIL_EVT_CHROOT:
      SetStr(out, FieldId::kChrootPath, Str(e, "path"));
      SetStr(out, FieldId::kChrootPutOld, Str(e, "put_old"));
      break;
    default:
      break;
  }
}

// fsconfig: the key and, for string and path parameters, the value; the "source" key is the
// mounted source, as mount(2)'s first argument.
void FillNetwork(const kernel::Event& e, match::EventRecord& out) {
  switch (e.type) {
    case VIGIL_EVT_CONNECT:
    case VIGIL_EVT_ACCEPT:
    case VIGIL_EVT_BIND:
      if (e.has_addr) {
        out.SetInt(FieldId::kNetFamily, e.addr.family);
        if (e.type == VIGIL_EVT_BIND)
          SetAddr(out, FieldId::kNetSaddr, FieldId::kNetSport, e.addr);
        else
          SetAddr(out, FieldId::kNetDaddr, FieldId::kNetDport, e.addr);
      }
      if (e.type == VIGIL_EVT_ACCEPT)  // the listening socket's local address
        SetAddr(out, FieldId::kNetSaddr, FieldId::kNetSport, e.local);
      break;
    case VIGIL_EVT_LISTEN:
      SetArg(out, FieldId::kListenBacklog, e, "backlog");
      if (e.has_addr) {  // the socket's local address, read in the kernel
        out.SetInt(FieldId::kNetFamily, e.addr.family);
        SetAddr(out, FieldId::kNetSaddr, FieldId::kNetSport, e.addr);
      }
      break;
    case VIGIL_EVT_DUP:
      FillDup(e, out);
      break;
    case VIGIL_EVT_SOCKET:
      SetArg(out, FieldId::kNetFamily, e, "family");
      if (auto t = Arg(e, "type")) out.SetInt(FieldId::kNetType, static_cast<int64_t>(*t & 0xf));
      SetArg(out, FieldId::kNetProto, e, "protocol");
      break;
    case VIGIL_EVT_TCP_STATE:
      out.SetInt(FieldId::kNetFamily, e.local.family);
      out.SetInt(FieldId::kNetProto, e.protocol);
      SetAddr(out, FieldId::kNetSaddr, FieldId::kNetSport, e.local);
      SetAddr(out, FieldId::kNetDaddr, FieldId::kNetDport, e.remote);
      out.SetInt(FieldId::kNetState, e.newstate);
      out.SetInt(FieldId::kNetOldstate, e.oldstate);
      break;
    default:
      break;
  }
}

}  // namespace

// Privilege, identity and other processes: set*id, ptrace, kill, prctl, setns, module loads.
void EventEnricher::FillProcessControl(const kernel::Event& e, match::EventRecord& out) {
  switch (e.type) {
    case VIGIL_EVT_SETUID:
      if (auto id = RequestedId(e, "uid", "euid", "ruid")) out.SetInt(FieldId::kSetuidUid, *id);
      if (auto fs = Arg(e, "fsuid")) out.SetInt(FieldId::kSetuidUid, static_cast<int64_t>(*fs));
      SetArg(out, FieldId::kSetuidRuid, e, "ruid");
      SetArg(out, FieldId::kSetuidEuid, e, "euid");
      SetArg(out, FieldId::kSetuidSuid, e, "suid");
      SetCredentials(e, out);
      break;
    case VIGIL_EVT_SETGID:
      if (auto id = RequestedId(e, "gid", "egid", "rgid")) out.SetInt(FieldId::kSetgidGid, *id);
      if (auto fs = Arg(e, "fsgid")) out.SetInt(FieldId::kSetgidGid, static_cast<int64_t>(*fs));
      SetArg(out, FieldId::kSetgidRgid, e, "rgid");
      SetArg(out, FieldId::kSetgidEgid, e, "egid");
      SetArg(out, FieldId::kSetgidSgid, e, "sgid");
      SetCredentials(e, out);
      break;
    case VIGIL_EVT_CAPSET:
      SetCredentials(e, out);
      if (e.has_capset) {
        out.SetUint(FieldId::kCapsetEffective, e.capset_effective);
        out.SetUint(FieldId::kCapsetPermitted, e.capset_permitted);
        out.SetUint(FieldId::kCapsetInheritable, e.capset_inheritable);
        out.SetInt(FieldId::kCapsetPid, e.capset_pid);
      }
      break;
    case VIGIL_EVT_PTRACE: {
      SetArg(out, FieldId::kPtraceRequest, e, "request");
      auto request = Arg(e, "request");
      if (request && static_cast<int64_t>(*request) == kPtraceTraceme) {
        // The caller asks its parent to trace it: the parent is the tracer, the caller the target.
        out.SetBool(FieldId::kPtraceParentTracesChild, true);
        break;
      }
      if (auto target = Arg(e, "target_pid")) {
        const auto pid = static_cast<int64_t>(*target);
        out.SetInt(FieldId::kPtraceTargetPid, pid);
        const proctree::Process* t = pid > 0 ? tree_.Lookup(static_cast<uint32_t>(pid)) : nullptr;
        if (t) out.SetString(FieldId::kPtraceTargetName, t->comm.view());
        // The target's parent: from the tree, else (a process it has not seen fork) from /proc.
        std::optional<uint32_t> parent;
        if (t && t->ppid) parent = t->ppid;
        if (!parent && pid > 0) parent = ProcParent(static_cast<uint32_t>(pid));
        if (parent) out.SetBool(FieldId::kPtraceParentTracesChild, *parent == e.pid);
      }
      break;
    }
    case VIGIL_EVT_KILL:
      SetArg(out, FieldId::kSignalNumber, e, "signal");
      SetArg(out, FieldId::kSignalTargetPid, e, "target_pid");
      break;
    case VIGIL_EVT_PRCTL:
      SetArg(out, FieldId::kPrctlOption, e, "option");
      if (const std::string* name = Str(e, "name"); name && !name->empty())
        out.SetString(FieldId::kPrctlName, *name);
      break;
    case VIGIL_EVT_SETNS:
      if (auto t = Arg(e, "nstype")) out.SetUint(FieldId::kSetnsNstype, *t & 0xffffffffu);
      break;
    case VIGIL_EVT_NS_CREATE:
      if (auto f = Arg(e, "flags")) {
        // CLONE_NEWTIME shares its bit with clone's exit signal: only unshare and clone3 have it
        constexpr uint64_t kNewAny = 0x7e020000, kNewTime = 0x80;
        out.SetUint(FieldId::kNsFlags,
                    *f & (e.syscall == VIGIL_SC_clone ? kNewAny : kNewAny | kNewTime));
      }
      break;
    case VIGIL_EVT_BPF:
      SetArg(out, FieldId::kBpfCmd, e, "cmd");
      if (e.has_bpf_attr) {
        const int64_t cmd = static_cast<int64_t>(Arg(e, "cmd").value_or(0));
        constexpr int64_t kMapCreate = 0, kProgLoad = 5;
        if (cmd == kProgLoad) {
          out.SetInt(FieldId::kBpfProgType, e.bpf_type);
          out.SetString(FieldId::kBpfProgName, e.bpf_name);
        } else if (cmd == kMapCreate) {
          out.SetInt(FieldId::kBpfMapType, e.bpf_type);
          out.SetString(FieldId::kBpfMapName, e.bpf_name);
        }
        if (cmd != kMapCreate) out.SetInt(FieldId::kBpfAttachType, e.bpf_attach_type);
      }
      break;
    case VIGIL_EVT_IO_URING_SETUP:
      SetArg(out, FieldId::kIoUringEntries, e, "entries");
      if (e.has_io_uring_params) out.SetUint(FieldId::kIoUringFlags, e.io_uring_flags);
      break;
    case VIGIL_EVT_USERFAULTFD:
      if (auto f = Arg(e, "flags")) out.SetUint(FieldId::kUserfaultfdFlags, *f);
      break;
    case VIGIL_EVT_PROCESS_VM:
      SetArg(out, FieldId::kProcessVmTargetPid, e, "target_pid");
      out.SetBool(FieldId::kProcessVmWrite, e.syscall == VIGIL_SC_process_vm_writev);
      break;
    case VIGIL_EVT_PERSONALITY:
      if (auto p = Arg(e, "persona")) out.SetUint(FieldId::kPersonalityPersona, *p);
      break;
    case VIGIL_EVT_KEYCTL:
      SetArg(out, FieldId::kKeyctlOp, e, "option");
      break;
    case VIGIL_EVT_MODULE_LOAD:
      if (const std::string* params = Str(e, "params"); params && !params->empty())
        out.SetString(FieldId::kModuleName, *params);
      break;
    default:
      break;
  }
}

void EventEnricher::FillEventFields(const kernel::Event& e, match::EventRecord& out) {
  FillLifecycle(e, out);
  FillFile(e, out);
  FillNetwork(e, out);
  FillProcessControl(e, out);
  FillCostly(e, out, false);
  process_ = nullptr;  // FillProcess's, valid within this Fill only
}

// The costly fields ------------------------------------------------------------------------

void EventEnricher::SetFieldsRead(const FieldSet& fields) {
  auto any = [&](std::initializer_list<FieldId> ids) {
    for (FieldId id : ids)
      if (fields.test(static_cast<size_t>(id))) return true;
    return false;
  };
  fills_[static_cast<size_t>(Costly::kStdStreams)] =
      any({FieldId::kProcStdinType, FieldId::kProcStdoutType});
  fills_[static_cast<size_t>(Costly::kNewExe)] = any({FieldId::kProcIsNewExe});
  fills_[static_cast<size_t>(Costly::kUpperLayer)] = any({FieldId::kProcIsExeUpperLayer});
  fills_[static_cast<size_t>(Costly::kParentCmdline)] = any({FieldId::kProcParentCmdline});
}

void EventEnricher::FillSkipped(const kernel::Event& e, match::EventRecord& out) {
  process_ = nullptr;
  FillCostly(e, out, true);
}

void EventEnricher::FillCostly(const kernel::Event& e, match::EventRecord& out, bool skipped) {
  auto wanted = [&](Costly c) { return Fills(c) != skipped; };
  if (e.type == VIGIL_EVT_EXEC) {
    if (wanted(Costly::kStdStreams)) FillStdStreams(e, out);
    if (wanted(Costly::kNewExe)) FillNewExe(e, out);
    if (wanted(Costly::kUpperLayer)) FillUpperLayer(e, out);
  }
  if (wanted(Costly::kParentCmdline)) FillParentCmdline(e, out);
}

// Standard streams (a reverse shell's are a socket): as the kernel found them at exec; an
// event without them reads /proc while the new image runs, and a process that has already
// exited leaves the fields absent.
void EventEnricher::FillStdStreams(const kernel::Event& e, match::EventRecord& out) {
  const FieldId ids[2] = {FieldId::kProcStdinType, FieldId::kProcStdoutType};
  for (int fd = 0; fd < 2; ++fd) {
    std::string_view kind = e.has_stdio ? stdio_.Kind(e.stdio[static_cast<size_t>(fd)])
                                        : StdioKinds::KindFromProc(proc_root_, e.pid, fd);
    if (!kind.empty()) out.SetString(ids[fd], kind);
  }
}

void EventEnricher::FillNewExe(const kernel::Event& e, match::EventRecord& out) {
  if (auto fresh = ExeWrittenSince(e, started_)) out.SetBool(FieldId::kProcIsNewExe, *fresh);
}

// In a container: is the executable in its root overlay's writable layer? On the host it is
// not (there is no container layer); unknown (absent) when the root is no overlay.
void EventEnricher::FillUpperLayer(const kernel::Event& e, match::EventRecord& out) {
  const proctree::Process* p = e.entity ? tree_.LookupEntity(e.entity) : tree_.Lookup(e.pid);
  if (p && p->container) {
    if (auto upper = layers_.ExeInUpperLayer(p->container->identity.id, e.pid, p->exe.view()))
      out.SetBool(FieldId::kProcIsExeUpperLayer, *upper);
  } else if (p) {
    out.SetBool(FieldId::kProcIsExeUpperLayer, false);
  }
}

void EventEnricher::FillParentCmdline(const kernel::Event& e, match::EventRecord& out) {
  if (!process_) {  // FillSkipped: look the process and its lineage up again
    const proctree::Process* p = e.entity ? tree_.LookupEntity(e.entity) : nullptr;
    if (!p) p = tree_.Lookup(e.pid);
    if (!p) return;
    tree_.Ancestors(*p, &lineage_);
  }  // else Fill: FillProcess's lineage of the same process, in lineage_
  if (!lineage_.ancestors.empty()) {
    lineage_.ancestors[0]->CmdlineInto(text_);
    out.SetString(FieldId::kProcParentCmdline, text_);
  }
}

}  // namespace vigil::runtime
