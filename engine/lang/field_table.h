// The rows of the field registry: every field a rule can read, as one X-macro table. From it
// engine/lang/fields.h makes the FieldId constants (FieldId::k<Id>) and engine/lang/fields.cpp
// makes AllFields(), in the same order, so that a FieldId indexes AllFields().
//
// X(Id, name, type, events, indexed, constants, description)
//   Id           FieldId::k<Id>: the name in CamelCase ("proc.parent.pid" -> ProcParentPid)
//   name         as written in rules, templates, test events and JSON
//   type         lang::Type::k<type>
//   events       the lang::EventMask of the event types that carry the field; written with
//                Bit(kOpen) and the sets kAny, kFileOps, kSockOps, kAddrOps of fields.cpp
//   indexed      written name[N] (proc.aname[1])
//   constants    nullptr, or the named constants (&kOpenFlags, ...) of fields.cpp the field accepts
//   description  one line for `vigil fields` and docs/fields.md
// docs/architecture.md, "How to add a field", says what else a new row needs.
#pragma once

#define VIGIL_FIELDS(X)                                                                            \
  /* evt: the event itself */                                                                      \
  X(EvtType, "evt.type", String, kAny, false, nullptr, "Event type name (exec, open, ...)")        \
  X(EvtTime, "evt.time", Uint, kAny, false, nullptr,                                               \
    "Wall-clock time of the event, ns since the Unix epoch")                                       \
  X(EvtBoottime, "evt.boottime", Uint, kAny, false, nullptr,                                       \
    "Kernel timestamp, ns since boot (CLOCK_BOOTTIME)")                                            \
  X(EvtRetval, "evt.retval", Int, kAny & ~Bit(kFork) & ~Bit(kTcpState), false, nullptr,            \
    "Return value of the syscall (negative errno on failure)")                                     \
  X(EvtFailed, "evt.failed", Bool, kAny & ~Bit(kFork) & ~Bit(kTcpState), false, nullptr,           \
    "The syscall failed (retval < 0)")                                                             \
  X(EvtSyscall, "evt.syscall", String, kSyscallEvents, false, nullptr,                             \
    "The syscall behind a syscall event (setfsuid, openat, clone3, ...)")                          \
  /* proc: the process the event happened in */                                                    \
  X(ProcPid, "proc.pid", Int, kAny, false, nullptr,                                                \
    "Process id (tgid), in the initial pid namespace")                                             \
  X(ProcTid, "proc.tid", Int, kAny, false, nullptr, "Thread id")                                   \
  X(ProcPpid, "proc.ppid", Int, kAny, false, nullptr, "Parent process id")                         \
  X(ProcEntity, "proc.entity", Uint, kAny, false, nullptr,                                         \
    "Stable process identity: hash of pid and start time")                                         \
  X(ProcStart, "proc.start", Uint, kAny, false, nullptr, "Process start time, ns since boot")      \
  X(ProcName, "proc.name", String, kAny, false, nullptr, "Process name (comm, at most 15 bytes)")  \
  X(ProcExe, "proc.exe", String, kAny, false, nullptr, "Path of the executable")                   \
  X(ProcArgs, "proc.args", StringList, kAny, false, nullptr,                                       \
    "Arguments, argv[0] included (bounded)")                                                       \
  X(ProcCmdline, "proc.cmdline", String, kAny, false, nullptr, "Arguments joined with spaces")     \
  X(ProcArgsTruncated, "proc.args_truncated", Bool, kAny, false, nullptr,                          \
    "The argument list was longer than vigil reads (--max-args-bytes): proc.args is its start")    \
  X(ProcEnv, "proc.env", StringList, kAny, false, nullptr,                                         \
    "Selected environment variables at exec, NAME=value (--env-names); proc.env[NAME] is one "     \
    "value")                                                                                       \
  X(ProcEnvNames, "proc.env_names", StringList, kAny, false, nullptr,                              \
    "Names of the selected environment variables the image has (proc.env_names contains "          \
    "\"LD_PRELOAD\")")                                                                             \
  X(ProcEnvTruncated, "proc.env_truncated", Bool, kAny, false, nullptr,                            \
    "The environment was longer than the kernel scans, or a selected value was cut: proc.env is "  \
    "partial")                                                                                     \
  X(ProcArgv0, "proc.argv0", String, kAny, false, nullptr,                                         \
    "argv[0] as the program was started (a multi-call binary's applet name, a masquerade)")        \
  X(ProcVpid, "proc.vpid", Int, kAny, false, nullptr,                                              \
    "Process id inside its own pid namespace (equals proc.pid on the host)")                       \
  X(ProcCwd, "proc.cwd", String, kAny, false, nullptr,                                             \
    "Working directory when the image started (exec; /proc for processes seen before)")            \
  X(ProcTty, "proc.tty", String, kAny, false, nullptr,                                             \
    "Controlling terminal (pts/0), empty when none")                                               \
  X(ProcTtyDev, "proc.tty_dev", Uint, kAny, false, nullptr,                                        \
    "Controlling terminal as a device number (/proc/PID/stat tty_nr encoding), 0 when none")       \
  X(ProcUid, "proc.uid", Uint, kAny, false, nullptr, "Real user id")                               \
  X(ProcEuid, "proc.euid", Uint, kAny, false, nullptr, "Effective user id")                        \
  X(ProcGid, "proc.gid", Uint, kAny, false, nullptr, "Real group id")                              \
  X(ProcLoginuid, "proc.loginuid", Uint, kAny, false, nullptr,                                     \
    "Audit login uid (4294967295 when unset)")                                                     \
  X(UserName, "user.name", String, kAny, false, nullptr,                                           \
    "Name of proc.uid in the passwd file (the container's own for a container process)")           \
  X(UserLoginname, "user.loginname", String, kAny, false, nullptr,                                 \
    "Name of proc.loginuid in the host's passwd file; absent when unset")                          \
  X(ProcIsNewExe, "proc.is_new_exe", Bool, Bit(kExec), false, nullptr,                             \
    "The executable was modified after vigil started (dropped, then run), checked at exec")        \
  X(ProcIsExeUpperLayer, "proc.is_exe_upper_layer", Bool, Bit(kExec), false, nullptr,              \
    "The executable lives in the container's writable overlay layer (created or changed in the "   \
    "container, not from its image)")                                                              \
  X(ProcExeMemfd, "proc.exe_memfd", Bool, kAny, false, nullptr,                                    \
    "The executable is an anonymous memory file (fileless)")                                       \
  X(ProcMntns, "proc.mntns", Uint, kAny, false, nullptr, "Mount namespace id")                     \
  X(ProcPidns, "proc.pidns", Uint, kAny, false, nullptr, "Pid namespace id")                       \
  X(ProcStdinType, "proc.stdin.type", String, Bit(kExec), false, nullptr,                          \
    "What fd 0 is when the image starts: file, pipe, socket, tty, null, none (closed)")            \
  X(ProcStdoutType, "proc.stdout.type", String, Bit(kExec), false, nullptr,                        \
    "What fd 1 is when the image starts: file, pipe, socket, tty, null, none (closed)")            \
  /* lineage */                                                                                    \
  X(ProcParentName, "proc.parent.name", String, kAny, false, nullptr, "Parent process name")       \
  X(ProcParentExe, "proc.parent.exe", String, kAny, false, nullptr, "Parent executable path")      \
  X(ProcParentPid, "proc.parent.pid", Int, kAny, false, nullptr, "Parent process id")              \
  X(ProcParentCmdline, "proc.parent.cmdline", String, kAny, false, nullptr,                        \
    "Parent arguments joined with spaces")                                                         \
  X(ProcAncestorsName, "proc.ancestors.name", StringList, kAny, false, nullptr,                    \
    "Names of all ancestors, nearest first")                                                       \
  X(ProcAncestorsExe, "proc.ancestors.exe", StringList, kAny, false, nullptr,                      \
    "Executables of all ancestors, nearest first")                                                 \
  X(ProcAname, "proc.aname", String, kAny, true, nullptr,                                          \
    "Name of the N-th ancestor: proc.aname[1] is the parent")                                      \
  X(ProcDepth, "proc.depth", Int, kAny, false, nullptr, "Number of known ancestors")               \
  /* container and Kubernetes identity */                                                          \
  X(ContainerId, "container.id", String, kAny, false, nullptr, "Container id (empty on the host)") \
  X(ContainerRuntime, "container.runtime", String, kAny, false, nullptr,                           \
    "docker, containerd, cri-o, podman, runc, ...")                                                \
  X(ContainerName, "container.name", String, kAny, false, nullptr,                                 \
    "Container name where the runtime records one")                                                \
  X(ContainerImage, "container.image", String, kAny, false, nullptr,                               \
    "Image the container was created from, where the runtime records it")                          \
  X(ContainerImageDigest, "container.image_digest", String, kAny, false, nullptr,                  \
    "Digest of that image (sha256:...), where the runtime records it")                             \
  X(ContainerPrivileged, "container.privileged", Bool, kAny, false, nullptr,                       \
    "Privileged container: CAP_SYS_ADMIN in its bounding set, or every device allowed")            \
  X(ContainerHostNamespaces, "container.host_namespaces", StringList, kAny, false, nullptr,        \
    "Namespaces the container shares with the host: net, pid, ipc, uts, mount, user, cgroup")      \
  X(K8sPodUid, "k8s.pod.uid", String, kAny, false, nullptr, "Kubernetes pod uid")                  \
  X(K8sPodName, "k8s.pod.name", String, kAny, false, nullptr, "Kubernetes pod name")               \
  X(K8sNs, "k8s.ns", String, kAny, false, nullptr, "Kubernetes namespace")                         \
  X(K8sPodLabels, "k8s.pod.labels", StringList, kAny, false, nullptr,                              \
    "Pod labels as key=value, where the runtime state carries them (CRI-O)")                       \
  /* host */                                                                                       \
  X(HostName, "host.name", String, kAny, false, nullptr,                                           \
    "Name of the host vigil runs on (its UTS host name, re-read when it changes)")                 \
  X(HostId, "host.id", String, kAny, false, nullptr, "Machine id of the host (/etc/machine-id)")   \
  /* exec and exit */                                                                              \
  X(ExecFilename, "exec.filename", String, Bit(kExec), false, nullptr,                             \
    "The path given to execve (before resolution)")                                                \
  X(ExecArgsTruncated, "exec.args_truncated", Bool, Bit(kExec), false, nullptr,                    \
    "argv was longer than the kernel bound")                                                       \
  X(ExitCode, "exit.code", Int, Bit(kExit), false, nullptr, "Exit status")                         \
  X(ExitSignal, "exit.signal", Int, Bit(kExit), false, &kSignals,                                  \
    "Signal that ended the process, 0 if none")                                                    \
  /* files */                                                                                      \
  X(FilePath, "file.path", String, kFileOps, false, nullptr,                                       \
    "Path the syscall acted on (for symlink: the link's target text)")                             \
  X(FileName, "file.name", String, kFileOps, false, nullptr, "Last component of file.path")        \
  X(FileDir, "file.dir", String, kFileOps, false, nullptr, "file.path without its last component") \
  X(FileNewpath, "file.newpath", String, Bit(kRename) | Bit(kLink) | Bit(kSymlink), false,         \
    nullptr, "New name: rename destination, new hard link, or the symlink created")                \
  X(OpenFlags, "open.flags", Flags, Bit(kOpen), false, &kOpenFlags, "open(2) flags")               \
  X(OpenMode, "open.mode", Flags, Bit(kOpen), false, &kModeBits, "Mode bits for a created file")   \
  X(OpenRead, "open.read", Bool, Bit(kOpen), false, nullptr,                                       \
    "Opened for reading (O_RDONLY or O_RDWR)")                                                     \
  X(OpenWrite, "open.write", Bool, Bit(kOpen), false, nullptr,                                     \
    "Opened for writing (O_WRONLY, O_RDWR, O_TRUNC)")                                              \
  X(OpenCreate, "open.create", Bool, Bit(kOpen), false, nullptr,                                   \
    "May create the file (O_CREAT or O_TMPFILE)")                                                  \
  X(ChmodMode, "chmod.mode", Flags, Bit(kChmod), false, &kModeBits, "New mode bits")               \
  X(ChownUid, "chown.uid", Int, Bit(kChown), false, nullptr, "New owner (-1: unchanged)")          \
  X(ChownGid, "chown.gid", Int, Bit(kChown), false, nullptr, "New group (-1: unchanged)")          \
  X(MemfdName, "memfd.name", String, Bit(kMemfdCreate), false, nullptr,                            \
    "Name given to memfd_create")                                                                  \
  X(MemfdFlags, "memfd.flags", Flags, Bit(kMemfdCreate), false, &kMemfdFlags,                      \
    "memfd_create flags")                                                                          \
  /* network */                                                                                    \
  X(NetFamily, "net.family", Int, kSockOps | Bit(kTcpState) | Bit(kDup), false, &kAddressFamilies, \
    "Address family")                                                                              \
  X(NetType, "net.type", Int, kSockOps, false, &kSocketTypes, "Socket type")                       \
  X(NetProto, "net.proto", Int, kSockOps | Bit(kTcpState), false, &kIpProtocols, "Protocol")       \
  X(NetSaddr, "net.saddr", Address, kAddrOps, false, nullptr, "Local address")                     \
  X(NetSport, "net.sport", Int, kAddrOps, false, nullptr, "Local port")                            \
  X(NetDaddr, "net.daddr", Address, kPeerOps, false, nullptr,                                      \
    "Remote address (dup: the peer of the socket duplicated)")                                     \
  X(NetDport, "net.dport", Int, kPeerOps, false, nullptr, "Remote port")                           \
  X(NetState, "net.state", Int, Bit(kTcpState), false, &kTcpStates, "New TCP state")               \
  X(NetOldstate, "net.oldstate", Int, Bit(kTcpState), false, &kTcpStates, "Previous TCP state")    \
  X(ListenBacklog, "listen.backlog", Int, Bit(kListen), false, nullptr, "listen(2) backlog")       \
  /* other syscalls */                                                                             \
  X(PtraceRequest, "ptrace.request", Int, Bit(kPtrace), false, &kPtraceRequests, "ptrace request") \
  X(PtraceTargetPid, "ptrace.target.pid", Int, Bit(kPtrace), false, nullptr, "Traced process id")  \
  X(PtraceTargetName, "ptrace.target.name", String, Bit(kPtrace), false, nullptr,                  \
    "Traced process name")                                                                         \
  X(PtraceRequestName, "ptrace.request_name", String, Bit(kPtrace), false, nullptr,                \
    "The request's name (PTRACE_POKEDATA), or its number when it has none")                        \
  X(PtraceParentTracesChild, "ptrace.parent_traces_child", Bool, Bit(kPtrace), false, nullptr,     \
    "The tracer is the tracee's parent: PTRACE_TRACEME, or a target whose parent is the caller "   \
    "(a debugger tracing what it launched)")                                                       \
  X(SignalNumber, "signal.number", Int, Bit(kKill), false, &kSignals, "Signal sent")               \
  X(SignalTargetPid, "signal.target.pid", Int, Bit(kKill), false, nullptr,                         \
    "Process the signal was sent to")                                                              \
  X(ModuleName, "module.name", String, Bit(kModuleLoad), false, nullptr,                           \
    "Module file path or name, where known")                                                       \
  X(MountSource, "mount.source", String, Bit(kMount), false, nullptr, "Mounted device or source")  \
  X(MountTarget, "mount.target", String, Bit(kMount) | Bit(kUmount), false, nullptr,               \
    "Mount point")                                                                                 \
  X(MountFstype, "mount.fstype", String, Bit(kMount), false, nullptr, "File system type")          \
  X(MountFlags, "mount.flags", Flags, Bit(kMount), false, &kMountFlags, "mount(2) flags")          \
  X(SetuidUid, "setuid.uid", Int, Bit(kSetuid), false, nullptr,                                    \
    "Requested user id: setuid's, else the effective (setreuid, setresuid) unless -1, else the "   \
    "real one; setfsuid's file-system uid")                                                        \
  X(SetuidRuid, "setuid.ruid", Int, Bit(kSetuid), false, nullptr,                                  \
    "Requested real uid (setreuid, setresuid; -1: unchanged)")                                     \
  X(SetuidEuid, "setuid.euid", Int, Bit(kSetuid), false, nullptr,                                  \
    "Requested effective uid (setreuid, setresuid; -1: unchanged)")                                \
  X(SetuidSuid, "setuid.suid", Int, Bit(kSetuid), false, nullptr,                                  \
    "Requested saved uid (setresuid; -1: unchanged)")                                              \
  X(SetgidGid, "setgid.gid", Int, Bit(kSetgid), false, nullptr,                                    \
    "Requested group id: setgid's, else the effective (setregid, setresgid) unless -1, else the "  \
    "real one; setfsgid's file-system gid")                                                        \
  X(SetgidRgid, "setgid.rgid", Int, Bit(kSetgid), false, nullptr,                                  \
    "Requested real gid (setregid, setresgid; -1: unchanged)")                                     \
  X(SetgidEgid, "setgid.egid", Int, Bit(kSetgid), false, nullptr,                                  \
    "Requested effective gid (setregid, setresgid; -1: unchanged)")                                \
  X(SetgidSgid, "setgid.sgid", Int, Bit(kSetgid), false, nullptr,                                  \
    "Requested saved gid (setresgid; -1: unchanged)")                                              \
  X(CredUid, "cred.uid", Uint, kCredOps, false, nullptr, "Caller's real uid before the call")      \
  X(CredEuid, "cred.euid", Uint, kCredOps, false, nullptr,                                         \
    "Caller's effective uid before the call")                                                      \
  X(CredSuid, "cred.suid", Uint, kCredOps, false, nullptr, "Caller's saved uid before the call")   \
  X(CredFsuid, "cred.fsuid", Uint, kCredOps, false, nullptr,                                       \
    "Caller's file-system uid before the call")                                                    \
  X(CredGid, "cred.gid", Uint, kCredOps, false, nullptr, "Caller's real gid before the call")      \
  X(CredEgid, "cred.egid", Uint, kCredOps, false, nullptr,                                         \
    "Caller's effective gid before the call")                                                      \
  X(CredCapEffective, "cred.cap_effective", Flags, kCredOps, false, &kCapabilities,                \
    "Caller's effective capabilities before the call")                                             \
  X(CredCapPermitted, "cred.cap_permitted", Flags, kCredOps, false, &kCapabilities,                \
    "Caller's permitted capabilities before the call")                                             \
  X(CapsetEffective, "capset.effective", Flags, Bit(kCapset), false, &kCapabilities,               \
    "Requested effective capability set")                                                          \
  X(CapsetPermitted, "capset.permitted", Flags, Bit(kCapset), false, &kCapabilities,               \
    "Requested permitted capability set")                                                          \
  X(CapsetInheritable, "capset.inheritable", Flags, Bit(kCapset), false, &kCapabilities,           \
    "Requested inheritable capability set")                                                        \
  X(CapsetPid, "capset.pid", Int, Bit(kCapset), false, nullptr,                                    \
    "Process named in capset's header (0: the caller)")                                            \
  X(PrctlOption, "prctl.option", Int, Bit(kPrctl), false, &kPrctlOptions, "prctl option")          \
  X(PrctlName, "prctl.name", String, Bit(kPrctl), false, nullptr, "New name for PR_SET_NAME")      \
  X(SetnsNstype, "setns.nstype", Flags, Bit(kSetns), false, &kNamespaceFlags,                      \
    "Namespace type requested")                                                                    \
  X(SetnsTargetPid, "setns.target.pid", Int, Bit(kSetns), false, nullptr,                          \
    "Process whose namespace was joined (from a pidfd or /proc/PID/ns path), 0 if unknown")        \
  X(NsFlags, "ns.flags", Flags, Bit(kNsCreate), false, &kNamespaceFlags,                           \
    "Namespaces the call creates (its CLONE_NEW* flags)")                                          \
  X(DupOldfd, "dup.oldfd", Int, Bit(kDup), false, nullptr, "Descriptor duplicated")                \
  X(DupNewfd, "dup.newfd", Int, Bit(kDup), false, nullptr,                                         \
    "Descriptor it became: dup2/dup3's newfd, dup/fcntl's result (absent when they failed)")       \
  X(DupSocket, "dup.socket", Bool, Bit(kDup), false, nullptr,                                      \
    "The duplicated descriptor is a socket (its peer is net.daddr, net.dport)")                    \
  X(XattrName, "xattr.name", String, Bit(kXattr), false, nullptr,                                  \
    "Extended attribute name (security.capability, user.x, ...)")                                  \
  X(XattrSize, "xattr.size", Int, Bit(kXattr), false, nullptr, "Size of the value set")            \
  X(XattrRemove, "xattr.remove", Bool, Bit(kXattr), false, nullptr,                                \
    "The attribute was removed (removexattr family)")                                              \
  X(XattrCaps, "xattr.caps", Flags, Bit(kXattr), false, &kCapabilities,                            \
    "security.capability: the permitted capabilities the file grants at exec")                     \
  X(XattrCapsInheritable, "xattr.caps_inheritable", Flags, Bit(kXattr), false, &kCapabilities,     \
    "security.capability: the inheritable set")                                                    \
  X(XattrCapsEffective, "xattr.caps_effective", Bool, Bit(kXattr), false, nullptr,                 \
    "security.capability: the effective bit (the permitted set is effective at exec)")             \
  X(UtimesAtime, "utimes.atime", Int, Bit(kUtimes), false, nullptr,                                \
    "Access time set explicitly, ns since the Unix epoch")                                         \
  X(UtimesMtime, "utimes.mtime", Int, Bit(kUtimes), false, nullptr,                                \
    "Modification time set explicitly, ns since the Unix epoch")                                   \
  X(UtimesAtimeRequest, "utimes.atime_request", String, Bit(kUtimes), false, nullptr,              \
    "What is asked of the access time: set, now (UTIME_NOW or no times) or omit (UTIME_OMIT)")     \
  X(UtimesMtimeRequest, "utimes.mtime_request", String, Bit(kUtimes), false, nullptr,              \
    "What is asked of the modification time: set, now or omit")                                    \
  X(UtimesBackdated, "utimes.backdated", Bool, Bit(kUtimes), false, nullptr,                       \
    "A time is set explicitly more than a second before the event (timestomping)")                 \
  X(MountConfigKey, "mount.config_key", String, Bit(kMount), false, nullptr,                       \
    "fsconfig: the parameter's key (source, ...)")                                                 \
  X(MountConfigValue, "mount.config_value", String, Bit(kMount), false, nullptr,                   \
    "fsconfig: the parameter's value, for string and path parameters")                             \
  X(ChrootPath, "chroot.path", String, Bit(kChroot), false, nullptr,                               \
    "The new root (chroot's path, pivot_root's new_root)")                                         \
  X(ChrootPutOld, "chroot.put_old", String, Bit(kChroot), false, nullptr,                          \
    "pivot_root: where the old root is put")                                                       \
  X(BpfCmd, "bpf.cmd", Int, Bit(kBpf), false, &kBpfCommands, "bpf(2) command")                     \
  X(BpfCmdName, "bpf.cmd_name", String, Bit(kBpf), false, nullptr,                                 \
    "The command's name (BPF_PROG_LOAD), or its number")                                           \
  X(BpfProgType, "bpf.prog.type", Int, Bit(kBpf), false, &kBpfProgTypes,                           \
    "BPF_PROG_LOAD: the program type")                                                             \
  X(BpfProgName, "bpf.prog.name", String, Bit(kBpf), false, nullptr,                               \
    "BPF_PROG_LOAD: the program's name (at most 15 bytes)")                                        \
  X(BpfMapType, "bpf.map.type", Int, Bit(kBpf), false, nullptr, "BPF_MAP_CREATE: the map type")    \
  X(BpfMapName, "bpf.map.name", String, Bit(kBpf), false, nullptr,                                 \
    "BPF_MAP_CREATE: the map's name")                                                              \
  X(BpfAttachType, "bpf.attach_type", Int, Bit(kBpf), false, nullptr,                              \
    "Attach type (PROG_ATTACH, PROG_DETACH, LINK_CREATE; PROG_LOAD's expected one)")               \
  X(IoUringEntries, "io_uring.entries", Int, Bit(kIoUringSetup), false, nullptr,                   \
    "Submission queue entries requested")                                                          \
  X(IoUringFlags, "io_uring.flags", Flags, Bit(kIoUringSetup), false, &kIoUringSetupFlags,         \
    "io_uring_setup flags (IORING_SETUP_SQPOLL, ...)")                                             \
  X(UserfaultfdFlags, "userfaultfd.flags", Flags, Bit(kUserfaultfd), false, &kUserfaultfdFlags,    \
    "userfaultfd flags")                                                                           \
  X(ProcessVmTargetPid, "process_vm.target.pid", Int, Bit(kProcessVm), false, nullptr,             \
    "Process whose memory is read or written")                                                     \
  X(ProcessVmWrite, "process_vm.write", Bool, Bit(kProcessVm), false, nullptr,                     \
    "The call writes (process_vm_writev)")                                                         \
  X(PersonalityPersona, "personality.persona", Flags, Bit(kPersonality), false,                    \
    &kPersonalityFlags, "Requested persona (0xffffffff only queries it)")                          \
  X(KeyctlOp, "keyctl.op", Int, Bit(kKeyctl), false, &kKeyctlOps, "keyctl operation")
