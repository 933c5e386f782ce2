#include "kernel/sensors.h"
#include "kernel/env_names.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "kernel/event_types.h"
#include "kernel/prefilter_decision.h"
#include "kernel/syscall_table.h"
#include "kernel/tracefs.h"
#include "vigil.skel.h"

namespace vigil::kernel {
namespace {

// Words of the inflight_tids bitmap (bpf/maps.h): one bit per tid below pid_max. A tid beyond it
// (pid_max raised later) is still served, by a hash lookup at its syscalls' exits.
uint32_t InflightTidWords() {
  uint64_t pid_max = 4194304;
  std::ifstream in("/proc/sys/kernel/pid_max");
  in >> pid_max;
  return static_cast<uint32_t>(
      std::clamp<uint64_t>((pid_max + 63) / 64, 1, VIGIL_INFLIGHT_TID_WORDS));
}

// libbpf's messages, kept while loading so that a program the kernel rejects can be named.
thread_local std::vector<std::string>* g_load_log = nullptr;

int LibbpfPrint(enum libbpf_print_level level, const char* fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  const int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string line(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) vsnprintf(line.data(), line.size() + 1, fmt, args);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  if (g_load_log) g_load_log->push_back(line);
  if (level == LIBBPF_WARN)
    spdlog::debug("libbpf: {}", line);
  else if (level == LIBBPF_INFO)
    spdlog::trace("libbpf: {}", line);
  return 0;
}

bool IsLifecycle(const std::string& prog) {
  return prog == "handle_exec" || prog == "handle_fork" || prog == "handle_exit";
}

// The shared syscall programs, reached by tail call from the per-syscall stubs; never attached.
bool IsSyscallCommon(const std::string& prog) {
  return prog == "syscall_enter" || prog == "syscall_exit";
}

const SyscallInfo* SyscallByName(const std::string& name) {
  for (const auto& s : AllSyscalls())
    if (name == s.name) return &s;
  return nullptr;
}

std::string Errno(int err) {
  return std::strerror(err < 0 ? -err : err);
}

}  // namespace

const char* StatName(int stat) {
  static const char* const kNames[VIGIL_STAT_MAX] = {
      "drop_main",        "drop_net",           "filtered",
      "proc_info_misses", "proc_info_rebuilds", "proc_info_recomputes",
      "inflight_full",    "fallback_calls",     "exe_hash_failures",
      "kills_unreported", "argv_shortened",     "throttled",
      "prefiltered"};
  return stat >= 0 && stat < VIGIL_STAT_MAX ? kNames[stat] : "?";
}

uint32_t DefaultProcInfoEntries() {
  uint64_t pid_max = 32768;
  std::ifstream in("/proc/sys/kernel/pid_max");
  in >> pid_max;
  pid_max = std::clamp<uint64_t>(pid_max, 8192, 262144);
  int cpus = libbpf_num_possible_cpus();
  if (cpus < 1) cpus = 1;
  // The LRU keeps up to 128 free entries per CPU; do not let that eat into live processes.
  return static_cast<uint32_t>(pid_max + 128ULL * static_cast<uint64_t>(cpus));
}

namespace {

// Where a failed load's log names the program the kernel rejected, and the verifier's verdict.
struct Rejection {
  std::string program;  // empty when the log names none
  std::string reason;
};

Rejection FindRejection(const std::vector<std::string>& log) {
  Rejection r;
  for (const auto& line : log) {
    // The verifier's verdict is the line before its "processed N insns" summary.
    const size_t at = line.find("\nprocessed ");
    if (at == std::string::npos) continue;
    const size_t start = line.rfind('\n', at - 1);
    r.reason = line.substr(start == std::string::npos ? 0 : start + 1,
                           at - (start == std::string::npos ? 0 : start + 1));
  }
  static const std::regex kFailed(
      R"(prog '([A-Za-z0-9_]+)': (BPF program load failed|failed to load))");
  for (const auto& line : log) {
    std::smatch m;
    if (std::regex_search(line, m, kFailed)) r.program = m[1];
  }
  return r;
}

// The error for a load that cannot be retried: the verifier's reason is at the end of the log.
Error LoadFailure(int err, const std::vector<std::string>& log) {
  std::string tail;
  for (size_t i = log.size() > 6 ? log.size() - 6 : 0; i < log.size(); ++i) {
    const std::string& l = log[i];
    tail += "\n  " + (l.size() > 2000 ? l.substr(l.size() - 2000) : l);
  }
  return Error{"loading the BPF programs failed: " + Errno(err) + tail};
}

}  // namespace

bool Sensors::WantsProgram(const std::string& name, const SensorOptions& options,
                           const std::set<uint16_t>& loadable) {
  if (IsLifecycle(name)) return true;
  const std::string& tracefs = options.tracefs_root;
  if (name == "handle_tcp_state") {
    const bool load = loadable.count(VIGIL_EVT_TCP_STATE) &&
                      TracepointExists(tracefs, "sock", "inet_sock_set_state");
    if (options.event_types.count(VIGIL_EVT_TCP_STATE) && !load)
      skipped_.push_back(name + " (no sock:inet_sock_set_state tracepoint)");
    return load;
  }
  if (name.rfind("enter_", 0) != 0 && name.rfind("exit_", 0) != 0) return false;
  const bool enter = name[1] == 'n';
  const std::string sc = name.substr(enter ? 6 : 5);
  const SyscallInfo* info = SyscallByName(sc);
  if (!info || !loadable.count(info->event)) return false;
  if (enter) traced_.push_back(sc);
  if (TracepointExists(tracefs, "syscalls", (enter ? "sys_enter_" : "sys_exit_") + sc)) return true;
  if (enter) (options.raw_syscalls_fallback ? fallbacks_ : unseen_).push_back(sc);
  return false;
}

void Sensors::SelectPrograms(const SensorOptions& options, const std::set<uint16_t>& loadable,
                             const std::set<std::string>& rejected) {
  fallbacks_.clear();
  unseen_.clear();
  skipped_.clear();
  traced_.clear();
  // Without the shared programs the stubs would tail-call into nothing: skip them all.
  const bool common_rejected = rejected.count("syscall_enter") || rejected.count("syscall_exit");
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) {
    const std::string name = bpf_program__name(prog);
    bool load = WantsProgram(name, options, loadable);
    const bool syscall_prog = name.rfind("enter_", 0) == 0 || name.rfind("exit_", 0) == 0 ||
                              name.rfind("fallback_", 0) == 0;
    if (load && (rejected.count(name) || (common_rejected && syscall_prog))) {
      load = false;
      skipped_.push_back(name + " (rejected by this kernel)");
    }
    bpf_program__set_autoload(prog, load);
  }
  if (common_rejected && !traced_.empty()) {
    spdlog::error("the shared syscall programs cannot load on this kernel: no syscall events");
    traced_.clear();
    fallbacks_.clear();
  }
  const bool need_fallback = !fallbacks_.empty();
  bpf_program__set_autoload(skel_->progs.fallback_enter, need_fallback);
  bpf_program__set_autoload(skel_->progs.fallback_exit, need_fallback);
  bpf_program__set_autoload(skel_->progs.syscall_enter, !traced_.empty());
  bpf_program__set_autoload(skel_->progs.syscall_exit, !traced_.empty());
}

Status Sensors::WriteKillProtected(const SensorOptions& options) {
  const uint8_t one = 1;
  auto put = [&](vigil_protect_kind kind, uint64_t value) -> Status {
    vigil_protect_key key{};
    key.kind = kind;
    key.value = value;
    if (bpf_map__update_elem(skel_->maps.kill_protected, &key, sizeof(key), &one, sizeof(one),
                             BPF_ANY) != 0)
      return Error{"cannot write kill_protected: " + Errno(errno)};
    return OkStatus();
  };
  for (uint32_t tgid : options.kill_protected_tgids)
    if (auto s = put(VIGIL_PROTECT_TGID, tgid); !s) return s;
  for (uint64_t hash : options.kill_protected_exe_hashes)
    if (auto s = put(VIGIL_PROTECT_EXE, hash); !s) return s;
  return OkStatus();
}

Status Sensors::DetachAfterExit() {
  // Detaching a syscall tracepoint waits for RCU grace periods under a kernel mutex: about 2 s
  // for the agent's links, whether this process closes them or the kernel does at its exit.
  // A child holding copies of every descriptor keeps them attached until this process is gone
  // (the pipe's write end closes with it), then exits, and the kernel detaches them in the
  // child's exit instead. The child runs only async-signal-safe calls.
  // First the kernel is switched to version 0, which no plan uses: in that window the attached
  // programs select nothing and kill nothing at exec (an `action kill` policy must not outlive
  // the agent).
  const uint32_t zero = 0;
  if (bpf_map__update_elem(skel_->maps.active_version, &zero, sizeof(zero), &zero, sizeof(zero),
                           BPF_ANY) != 0)
    return Error{"cannot write active_version: " + Errno(errno)};
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Error{"pipe: " + Errno(errno)};
  const pid_t child = ::fork();
  if (child < 0) {
    const int err = errno;
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return Error{"fork: " + Errno(err)};
  }
  if (child == 0) {
    ::prctl(PR_SET_NAME, "vigil-detach", 0, 0, 0);
    // Whoever reads the agent's stdout or stderr (a pipe) sees its end now, not the child's.
    for (int fd = 0; fd <= 2; ++fd) ::close(fd);
    ::close(pipe_fds[1]);
    char c;
    while (::read(pipe_fds[0], &c, 1) < 0 && errno == EINTR) {
    }
    ::_exit(0);
  }
  ::close(pipe_fds[0]);
  // pipe_fds[1] stays open until this process exits: that is the child's signal.
  return OkStatus();
}

Status Sensors::WriteSyscallTables() {
  auto& maps = skel_->maps;
  if (!traced_.empty()) {
    // The per-syscall stubs tail-call the shared programs, which look the syscall up by number.
    const int fds[2] = {bpf_program__fd(skel_->progs.syscall_enter),
                        bpf_program__fd(skel_->progs.syscall_exit)};
    for (uint32_t slot = 0; slot < 2; ++slot)
      if (bpf_map__update_elem(maps.syscall_progs, &slot, sizeof(slot), &fds[slot], sizeof(int),
                               BPF_ANY) != 0)
        return Error{"cannot write the syscall program array: " + Errno(errno)};
    for (const auto& sc : traced_) {
      const SyscallInfo* info = SyscallByName(sc);
      uint32_t nr = static_cast<uint32_t>(info->nr);
      uint32_t id = info->id;
      if (nr >= VIGIL_SYSCALL_NR_MAX) return Error{"syscall number out of range for " + sc};
      if (bpf_map__update_elem(maps.syscall_ids, &nr, sizeof(nr), &id, sizeof(id), BPF_ANY) != 0)
        return Error{"cannot write the syscall id map: " + Errno(errno)};
    }
  }
  for (const auto& sc : fallbacks_) {
    const SyscallInfo* info = SyscallByName(sc);
    if (!info) continue;
    uint32_t nr = static_cast<uint32_t>(info->nr);
    uint32_t id = info->id;
    if (bpf_map__update_elem(maps.fallback_syscalls, &nr, sizeof(nr), &id, sizeof(id), BPF_ANY) !=
        0)
      return Error{"cannot write the raw_syscalls fallback map: " + Errno(errno)};
  }
  return OkStatus();
}

Result<std::unique_ptr<Sensors>> Sensors::Load(const SensorOptions& options) {
  libbpf_set_print(LibbpfPrint);
  std::unique_ptr<Sensors> self(new Sensors());
  self->proc_info_entries_ =
      options.proc_info_entries ? options.proc_info_entries : DefaultProcInfoEntries();
  std::set<uint16_t> loadable = options.event_types;
  loadable.insert(options.loadable_types.begin(), options.loadable_types.end());
  self->attach_types_ = options.event_types;
  self->loaded_types_ = loadable;

  // A program the kernel rejects is left out and the load tried again, up to a bound.
  std::set<std::string> rejected;
  for (int attempt = 0; attempt < 8 && !self->skel_; ++attempt) {
    vigil_bpf* skel = vigil_bpf__open();
    if (!skel) return Error{"cannot open the BPF object: " + Errno(errno)};
    self->skel_ = skel;
    skel->rodata->use_boottime = options.clock == ClockSource::kBoottime;
    skel->rodata->argv_max = std::clamp<uint32_t>(options.argv_max_bytes, 1, VIGIL_ARGV_CAP);
    skel->rodata->env_name_count = static_cast<uint32_t>(options.env_names.size());
    for (size_t i = 0; i < options.env_names.size() && i < VIGIL_ENV_NAMES; ++i)
      skel->rodata->env_name_hash[i] = EnvNameHash(options.env_names[i]);
    // Budget per window, rounded up: a rate below one event per window still lets one through.
    skel->rodata->proc_budget = static_cast<uint32_t>(
        (uint64_t{options.process_event_rate} * kBudgetWindowMs + 999) / 1000);
    skel->rodata->proc_budget_window_ns = uint64_t{kBudgetWindowMs} * 1'000'000;
    bpf_map__set_max_entries(skel->maps.proc_info, self->proc_info_entries_);
    bpf_map__set_max_entries(skel->maps.inflight_tids, InflightTidWords());
    bpf_map__set_max_entries(skel->maps.events, options.ring_bytes);
    // A wakeup once an eighth of the ring is waiting (else the reader's poll timeout): far from
    // full at any rate the reader keeps up with, and one wakeup per many records.
    skel->rodata->wakeup_bytes = options.wakeup_bytes == SensorOptions::kBatchedWakeup
                                     ? options.ring_bytes / 8
                                     : options.wakeup_bytes;
    bpf_map__set_max_entries(skel->maps.net_events, options.net_ring_bytes);
    self->SelectPrograms(options, loadable, rejected);
    if (options.before_load) options.before_load(skel->obj);

    std::vector<std::string> log;
    g_load_log = &log;
    const int err = vigil_bpf__load(skel);
    g_load_log = nullptr;
    if (err == 0) break;
    vigil_bpf__destroy(skel);
    self->skel_ = nullptr;
    // Lifecycle programs cannot be done without; an unnamed or repeated culprit ends it too.
    const Rejection r = FindRejection(log);
    if (r.program.empty() || IsLifecycle(r.program) || rejected.count(r.program))
      return LoadFailure(err, log);
    spdlog::warn("skipping BPF program {}: this kernel cannot load it (verifier: {})", r.program,
                 r.reason.empty() ? Errno(err) : r.reason);
    rejected.insert(r.program);
  }
  if (!self->skel_) return Error{"loading the BPF programs failed after skipping programs"};
  for (const auto& s : self->skipped_) spdlog::warn("skipped BPF program {}", s);
  if (auto s = self->WriteSyscallTables(); !s) return Error{s.error()};
  if (auto s = self->WriteKillProtected(options); !s) return Error{s.error()};
  return self;
}

Sensors::~Sensors() {
  // Detaching a syscall tracepoint waits for an RCU grace period; done one after the other that
  // takes seconds for ~90 links, in parallel the waits overlap.
  constexpr size_t kThreads = 16;
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads && t < links_.size(); ++t)
    threads.emplace_back([this, t] {
      for (size_t i = t; i < links_.size(); i += kThreads) bpf_link__destroy(links_[i]);
    });
  for (auto& thread : threads) thread.join();
  if (skel_) vigil_bpf__destroy(skel_);
}

namespace {

Status PutElem(bpf_map* map, const void* key, size_t ksz, const void* val, size_t vsz,
               const char* what) {
  if (bpf_map__update_elem(map, key, ksz, val, vsz, BPF_ANY) != 0)
    return Error{std::string("cannot write ") + what + ": " + Errno(errno)};
  return OkStatus();
}

// Writes each (plan key, policies) entry under `version`, the map key made by `fill`.
template <class Entries, class Fill>
Status PutAll(bpf_map* map, uint32_t version, const Entries& entries, Fill fill, const char* what) {
  for (const auto& [plan_key, bits] : entries) {
    auto key = fill(plan_key);
    key.version = version;
    if (auto s = PutElem(map, &key, sizeof(key), &bits, sizeof(bits), what); !s) return s;
  }
  return OkStatus();
}

void CopyName(char* dst, size_t size, const std::string& name) {
  std::memcpy(dst, name.data(), std::min(name.size(), size - 1));
}

}  // namespace

bpf_map* Sensors::NumericScopeMap(vigil_scope_kind kind) const {
  auto& maps = skel_->maps;
  switch (kind) {
    case VIGIL_SCOPE_UID:
      return maps.scope_uid;
    case VIGIL_SCOPE_GID:
      return maps.scope_gid;
    case VIGIL_SCOPE_PID:
      return maps.scope_pid;
    case VIGIL_SCOPE_MNTNS:
      return maps.scope_mntns;
    case VIGIL_SCOPE_PIDNS:
      return maps.scope_pidns;
    case VIGIL_SCOPE_CGROUP:
      return maps.scope_cgroup;
    default:
      return nullptr;
  }
}

Status Sensors::WritePolicyConfig(const kernel::KernelPlan& plan) {
  auto& maps = skel_->maps;
  const uint32_t version = plan.version;
  if (auto s = PutElem(maps.policy_config, &version, sizeof(version), plan.config.get(),
                       sizeof(vigil_policy_config), "policy_config");
      !s)
    return s;
  // Every type of the version's slot is written, so that no entry of the slot's previous user
  // (version - VIGIL_VERSION_SLOTS, long retired) is left carrying a stale bitmap.
  for (uint32_t type = 0; type < VIGIL_EVT_MAX; ++type) {
    const uint32_t slot = (version % VIGIL_VERSION_SLOTS) * VIGIL_EVT_MAX + type;
    vigil_event_policies value{};
    value.version = version;
    auto it = plan.event_policies.find(static_cast<uint16_t>(type));
    value.policies = it == plan.event_policies.end() ? 0 : it->second;
    if (auto s = PutElem(maps.event_policies, &slot, sizeof(slot), &value, sizeof(value),
                         "event_policies");
        !s)
      return s;
  }
  return OkStatus();
}

Status Sensors::WriteScopeMaps(const kernel::KernelPlan& plan) {
  auto& maps = skel_->maps;
  const uint32_t version = plan.version;
  for (const auto& [kk, bits] : plan.numeric) {
    bpf_map* map = NumericScopeMap(kk.first);
    if (!map) return Error{"numeric scope entry of a non-numeric kind"};
    vigil_num_key key{};
    key.version = version;
    key.value = kk.second;
    if (auto s = PutElem(map, &key, sizeof(key), &bits, sizeof(bits), "a numeric scope map"); !s)
      return s;
  }
  Status s = PutAll(
      maps.scope_comm, version, plan.comm,
      [](const std::string& c) {
        vigil_comm_key k{};
        CopyName(k.comm, sizeof(k.comm), c);
        return k;
      },
      "scope_comm");
  if (s)
    s = PutAll(
        maps.scope_uts, version, plan.uts,
        [](const std::string& u) {
          vigil_uts_key k{};
          CopyName(k.name, sizeof(k.name), u);
          return k;
        },
        "scope_uts");
  if (s)
    s = PutAll(
        maps.scope_binary, version, plan.binary,
        [](const std::pair<uint64_t, uint64_t>& b) {
          vigil_binary_key k{};
          k.mntns = b.first;
          k.path_hash = b.second;
          return k;
        },
        "scope_binary");
  if (s)
    s = PutAll(
        maps.kill_exec, version, plan.kill_exec,
        [](const std::pair<vigil_kill_kind, uint64_t>& e) {
          vigil_kill_key k{};
          k.kind = e.first;
          k.hash = e.second;
          return k;
        },
        "kill_exec");
  return s;
}

Status Sensors::WritePrefilter(const kernel::KernelPlan& plan) {
  auto& maps = skel_->maps;
  const uint32_t version = plan.version;
  // Every type of the version's slot is written (as event_policies): no stale config survives.
  for (uint32_t type = 0; type < VIGIL_EVT_MAX; ++type) {
    const uint32_t slot = (version % VIGIL_VERSION_SLOTS) * VIGIL_EVT_MAX + type;
    vigil_pf_config cfg{};
    cfg.version = version;
    auto it = plan.prefilter.find(static_cast<uint16_t>(type));
    if (it != plan.prefilter.end()) {
      // The compiler leaves out what does not fit; this refusal is a defensive one.
      if (auto why = PrefilterDoesNotFit(it->second))
        return Error{"argument prefilter of " + std::string(EventTypeName(type)) + ": " + *why};
      cfg = PrefilterConfig(it->second, version);
      const uint8_t one = 1;
      for (int pass = 0; pass < 2; ++pass) {
        const auto& entries = pass == 0 ? it->second.exact : it->second.prefix;
        for (const auto& text : entries) {
          vigil_pf_prefix_key key{};
          key.version = version;
          key.type = type;
          const size_t n = text.size() + (pass == 0 ? 1 : 0);  // an exact path with its NUL
          std::memcpy(key.path, text.data(), text.size());
          key.prefixlen = static_cast<uint32_t>(64 + 8 * n);
          if (auto s = PutElem(maps.pf_prefix, &key, sizeof(key), &one, sizeof(one), "pf_prefix");
              !s)
            return s;
        }
      }
      for (const auto& text : it->second.suffix) {
        vigil_pf_suffix_key key{};
        key.version = version;
        key.type = type;
        key.hash = SuffixHash(text);
        if (auto s = PutElem(maps.pf_suffix, &key, sizeof(key), &one, sizeof(one), "pf_suffix"); !s)
          return s;
      }
    }
    if (auto s = PutElem(maps.pf_config, &slot, sizeof(slot), &cfg, sizeof(cfg), "pf_config"); !s)
      return s;
  }
  return OkStatus();
}

Status Sensors::Apply(const kernel::KernelPlan& plan) {
  if (auto s = WritePolicyConfig(plan); !s) return s;
  if (auto s = WriteScopeMaps(plan); !s) return s;
  if (auto s = WritePrefilter(plan); !s) return s;
  // The flip: one update of the single-slot map makes the new version active.
  uint32_t zero = 0;
  return PutElem(skel_->maps.active_version, &zero, sizeof(zero), &plan.version,
                 sizeof(plan.version), "active_version");
}

Status Sensors::Attach() {
  return AttachTypes(attach_types_);
}

Status Sensors::AttachTypes(const std::set<uint16_t>& types) {
  // Without the raw_syscalls fallback a selected syscall with no tracepoint is not traced: say
  // so once per event type, naming the syscalls and the way to see them.
  for (uint16_t type : types) {
    std::string unseen;
    for (const auto& sc : unseen_) {
      const SyscallInfo* info = SyscallByName(sc);
      if (info && info->event == type) unseen += (unseen.empty() ? "" : ", ") + sc;
    }
    if (unseen.empty() || !unseen_logged_.insert(type).second) continue;
    spdlog::warn(
        "cannot see {} events from {}: this kernel has no syscalls:sys_enter_/sys_exit_ "
        "tracepoint for them. Rules on {} will not fire. Pass --raw-syscalls to trace them with "
        "a raw_syscalls program, which runs on every syscall of the host (docs/kernel.md)",
        EventTypeName(type), unseen, EventTypeName(type));
  }
  // The raw_syscalls fallback serves the loaded syscalls without a tracepoint; it runs on every
  // syscall of the host, so it is attached only once a selected type needs it.
  std::string fallback_list;
  for (const auto& sc : fallbacks_) {
    const SyscallInfo* info = SyscallByName(sc);
    if (info && types.count(info->event)) fallback_list += (fallback_list.empty() ? "" : ", ") + sc;
  }
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) {
    const std::string name = bpf_program__name(prog);
    if (!bpf_program__autoload(prog) || IsSyscallCommon(name) || attached_.count(name)) continue;
    bool wanted = IsLifecycle(name);
    if (name == "handle_tcp_state") wanted = types.count(VIGIL_EVT_TCP_STATE) != 0;
    if (name.rfind("enter_", 0) == 0 || name.rfind("exit_", 0) == 0) {
      const SyscallInfo* info = SyscallByName(name.substr(name[1] == 'n' ? 6 : 5));
      wanted = info && types.count(info->event);
    }
    if (name.rfind("fallback_", 0) == 0) wanted = !fallback_list.empty();
    if (!wanted) continue;
    bpf_link* link = bpf_program__attach(prog);
    if (!link) {
      const int err = errno;
      if (IsLifecycle(name))
        return Error{"cannot attach " + name + " (process lifecycle): " + Errno(err)};
      spdlog::warn("skipping BPF program {}: attach failed: {}", name, Errno(err));
      skipped_.push_back(name + " (attach failed)");
      continue;
    }
    attached_.insert(name);
    links_.push_back(link);
    if (name.rfind("fallback_", 0) == 0 && !fallback_attached_) {
      fallback_attached_ = true;
      const std::string& list = fallback_list;
      spdlog::warn(
          "no syscalls:sys_enter_/sys_exit_ tracepoint for {} on this kernel: using a raw_syscalls "
          "program filtered by syscall number instead. It runs on every syscall of the host "
          "(measured 8-18% per syscall for an empty one); its invocations are counted as "
          "fallback_calls",
          list);
    }
  }
  attached_types_.insert(types.begin(), types.end());
  return OkStatus();
}

std::vector<std::string> Sensors::UnseenSelected() const {
  std::vector<std::string> out;
  for (const auto& sc : unseen_) {
    const SyscallInfo* info = SyscallByName(sc);
    if (info && attached_types_.count(info->event)) out.push_back(sc);
  }
  return out;
}

int Sensors::events_fd() const {
  return bpf_map__fd(skel_->maps.events);
}
int Sensors::net_events_fd() const {
  return bpf_map__fd(skel_->maps.net_events);
}
int Sensors::scratch_fd() const {
  return bpf_map__fd(skel_->maps.scratch);
}
__u64* Sensors::reader_asleep_flag() const {
  return skel_->bss ? const_cast<__u64*>(&skel_->bss->reader_asleep) : nullptr;
}

KernelStats Sensors::ReadStats() const {
  KernelStats out{};
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return out;
  std::vector<uint64_t> values(static_cast<size_t>(cpus));
  for (uint32_t i = 0; i < VIGIL_STAT_MAX; ++i) {
    if (bpf_map__lookup_elem(skel_->maps.stats, &i, sizeof(i), values.data(),
                             values.size() * sizeof(uint64_t), 0) != 0)
      continue;
    for (uint64_t v : values) out[i] += v;
  }
  return out;
}

std::vector<ThrottledProcess> Sensors::TakeThrottled() const {
  std::vector<ThrottledProcess> out;
  const int fd = bpf_map__fd(skel_->maps.throttled);
  std::vector<uint32_t> keys;
  uint32_t key = 0;
  uint32_t next = 0;
  const uint32_t* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    keys.push_back(next);
    key = next;
    prev = &key;
  }
  for (uint32_t tgid : keys) {
    vigil_throttled value{};
    if (bpf_map_lookup_and_delete_elem(fd, &tgid, &value) != 0) continue;
    out.push_back({.tgid = tgid, .entity = value.entity, .events = value.events});
  }
  return out;
}

}  // namespace vigil::kernel
