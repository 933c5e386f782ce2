// bench/overhead, per event type: what selecting one event type costs a process whose calls of
// that type the policy's scope filters out in the kernel, as ratios to a no-agent baseline
// measured in the same run, beside the floor of the same tracepoints with empty programs.
//   for each type: baseline (no programs), floor (an empty program on each sys_enter/sys_exit
//   tracepoint of the type's syscalls), vigil (that type selected, scope on a comm that never
//   runs, so every call is filtered in the kernel)
// The workload of a type is one cheap call of one of its syscalls, mostly a failing one (a failed
// call takes the same tracepoints and programs as a successful one, and leaves the host alone).
// Noise control as in bench_overhead: configurations interleaved in a rotated order per
// repetition, the workload timed on its own thread's CPU clock, fastest of several slices,
// ratios per repetition, median reported with the spread (min-max) of the ratios.
// Root only. Usage: bench_type_cost [REPETITIONS] [TYPE...]   (docs/kernel.md "Cost per type")
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench_empty.skel.h"
#include "child_measure.h"
#include "kernel/syscall_table.h"
#include "runtime/event_stream.h"
#include "runtime/trace_spec.h"

namespace {

constexpr long kSliceCalls = 20000;  // calls per slice (a few ms to about 20 ms)
constexpr int kSlices = 5;           // per measurement; the fastest is kept
constexpr const char* kScratch = "/tmp/vigil-bench-type-cost";

// What a workload's calls may use, set up once in the measuring child.
struct Scratch {
  int file_fd = -1;  // an open file in /tmp (dup, xattr on an fd)
  pid_t self = 0;
};

struct TypeCase {
  const char* type;  // vigil event type (docs/events.md)
  const char* call;  // the call the workload makes, as printed
  void (*op)(const Scratch&);
};

// One call per iteration; results are ignored on purpose (most fail by design).
const TypeCase kCases[] = {
    {"xattr", "fremovexattr(fd, user.none): ENODATA",
     [](const Scratch& s) { fremovexattr(s.file_fd, "user.vigil-bench-none"); }},
    {"utimes", "utimensat(file, UTIME_OMIT x2)",
     [](const Scratch&) {
       const timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
       utimensat(AT_FDCWD, kScratch, omit, 0);
     }},
    {"mount", "fsopen(no such fs): ENODEV",
     [](const Scratch&) { syscall(SYS_fsopen, "vigil-bench-nofs", 0); }},
    {"umount", "umount2(not a mount point): EINVAL", [](const Scratch&) { umount2(kScratch, 0); }},
    {"chroot", "chroot(missing dir): ENOENT",
     [](const Scratch&) { chroot("/nonexistent-vigil-bench"); }},
    {"ptrace", "ptrace(PEEKDATA, pid 1): ESRCH",
     [](const Scratch&) { syscall(SYS_ptrace, 2 /* PTRACE_PEEKDATA */, 1, 0, 0); }},
    {"setuid", "setuid(own uid)", [](const Scratch&) { syscall(SYS_setuid, getuid()); }},
    {"setgid", "setgid(own gid)", [](const Scratch&) { syscall(SYS_setgid, getgid()); }},
    {"capset", "capset(pid 0, bad version): EINVAL",
     [](const Scratch&) {
       __user_cap_header_struct hdr{0x12345678, 0};
       __user_cap_data_struct data[2]{};
       syscall(SYS_capset, &hdr, data);
     }},
    {"ns_create", "unshare(0)", [](const Scratch&) { unshare(0); }},
    {"dup", "dup2(fd, fd)", [](const Scratch& s) { dup2(s.file_fd, s.file_fd); }},
    {"listen", "listen(-1): EBADF", [](const Scratch&) { listen(-1, 0); }},
    {"accept", "accept4(-1): EBADF", [](const Scratch&) { accept4(-1, nullptr, nullptr, 0); }},
    {"bpf", "bpf(bad command): EINVAL",
     [](const Scratch&) { syscall(SYS_bpf, 0x7fff, nullptr, 0); }},
    {"io_uring_setup", "io_uring_setup(0 entries): EINVAL",
     [](const Scratch&) { syscall(SYS_io_uring_setup, 0, nullptr); }},
    {"userfaultfd", "userfaultfd(bad flags): EINVAL",
     [](const Scratch&) { syscall(SYS_userfaultfd, ~0); }},
    {"process_vm", "process_vm_readv(self, 0 iovecs)",
     [](const Scratch& s) { process_vm_readv(s.self, nullptr, 0, nullptr, 0, 0); }},
    {"personality", "personality(query)", [](const Scratch&) { personality(0xffffffff); }},
    {"keyctl", "keyctl(bad command): EOPNOTSUPP",
     [](const Scratch&) { syscall(SYS_keyctl, 0x7fff, 0, 0, 0, 0); }},
    {"kill", "kill(self, 0)", [](const Scratch& s) { kill(s.self, 0); }},
    {"setns", "setns(-1): EBADF", [](const Scratch&) { setns(-1, 0); }},
    {"prctl", "prctl(PR_GET_DUMPABLE)", [](const Scratch&) { prctl(PR_GET_DUMPABLE); }},
};

// The case's call in a child (child_measure.h), kSlices slices of kSliceCalls calls: ns per
// call of the fastest slice, -1 on failure.
double Measure(const TypeCase& c) {
  return vigil::bench::MeasureInChild(
      kSlices, kSliceCalls,
      [] {
        Scratch s;
        s.self = getpid();
        s.file_fd = open(kScratch, O_RDWR | O_CREAT, 0600);
        return s;
      },
      [&c](const Scratch& s) { c.op(s); });
}

// The empty program of bench_empty.bpf.c attached to every sys_enter/sys_exit tracepoint of the
// syscalls of one event type (those this kernel has); detached and unloaded on scope exit.
class EmptyFloor {
 public:
  static std::unique_ptr<EmptyFloor> Start(uint16_t event_type) {
    auto f = std::unique_ptr<EmptyFloor>(new EmptyFloor());
    f->skel_ = bench_empty_bpf__open();
    if (!f->skel_) return nullptr;
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, f->skel_->obj) {  // only empty_any is needed
      bpf_program__set_autoload(prog, prog == f->skel_->progs.empty_any);
    }
    if (bench_empty_bpf__load(f->skel_) != 0) return nullptr;
    for (const auto& sc : vigil::kernel::AllSyscalls()) {
      if (sc.event != event_type) continue;
      for (const char* side : {"sys_enter_", "sys_exit_"}) {
        const std::string tp = std::string(side) + sc.name;
        bpf_link* link =
            bpf_program__attach_tracepoint(f->skel_->progs.empty_any, "syscalls", tp.c_str());
        if (link)
          f->links_.push_back(link);  // a syscall this kernel lacks has no tracepoint: skipped
      }
    }
    if (f->links_.empty()) return nullptr;
    return f;
  }
  ~EmptyFloor() {
    for (bpf_link* link : links_) bpf_link__destroy(link);
    if (skel_) bench_empty_bpf__destroy(skel_);
  }
  EmptyFloor(const EmptyFloor&) = delete;
  EmptyFloor& operator=(const EmptyFloor&) = delete;
  size_t tracepoints() const { return links_.size(); }

 private:
  EmptyFloor() = default;
  bench_empty_bpf* skel_ = nullptr;
  std::vector<bpf_link*> links_;
};

// vigil tracing one type with a scope no process matches: every call is filtered in the kernel.
std::unique_ptr<vigil::runtime::Session> StartVigil(const char* type) {
  auto spec = vigil::runtime::TraceSpecFromFlags(type, "comm in [no-such-comm]");
  if (!spec) {
    std::fprintf(stderr, "bench_type_cost: %s: %s\n", type, spec.error().c_str());
    return nullptr;
  }
  vigil::runtime::SessionOptions options;
  options.process_tree = false;
  options.process_event_rate = 0;
  auto session = vigil::runtime::OpenTraceSession(spec.value(), options);
  if (!session) {
    std::fprintf(stderr, "bench_type_cost: %s: %s\n", type, session.error().c_str());
    return nullptr;
  }
  if (auto started = session.value()->Start([](const vigil::kernel::Event&) {}); !started) {
    std::fprintf(stderr, "bench_type_cost: %s: %s\n", type, started.error().c_str());
    return nullptr;
  }
  return std::move(session.value());
}

enum Config { kNone, kFloor, kVigil, kConfigCount };

struct Series {
  std::vector<double> ns[kConfigCount];  // per repetition, aligned (a failed repetition: none)
  size_t tracepoints = 0;
};

void Store(std::vector<double>& v, double ns) {
  v.push_back(ns > 0 ? ns : -1);
}

std::optional<uint16_t> EventTypeOf(const char* type) {
  auto spec = vigil::runtime::TraceSpecFromFlags(type, "");
  if (!spec || spec->event_types.size() != 1) return std::nullopt;
  return static_cast<uint16_t>(*spec->event_types.begin());
}

void RunRepetition(const TypeCase& c, uint16_t type, int rep, Series& s) {
  for (int k = 0; k < kConfigCount; ++k) {
    const auto config = static_cast<Config>((k + rep) % kConfigCount);
    switch (config) {
      case kNone:
        Store(s.ns[kNone], Measure(c));
        break;
      case kFloor: {
        auto floor = EmptyFloor::Start(type);
        if (floor) s.tracepoints = floor->tracepoints();
        Store(s.ns[kFloor], floor ? Measure(c) : -1);
        break;
      }
      case kVigil: {
        auto session = StartVigil(c.type);
        Store(s.ns[kVigil], session ? Measure(c) : -1);
        break;
      }
      case kConfigCount:
        break;
    }
  }
}

struct Ratio {
  double median = 0, low = 0, high = 0, added_ns = 0;
  size_t n = 0;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

Ratio Compare(const Series& s, Config c, Config base) {
  std::vector<double> r, added;
  for (size_t i = 0; i < s.ns[c].size() && i < s.ns[base].size(); ++i) {
    if (s.ns[c][i] <= 0 || s.ns[base][i] <= 0) continue;
    r.push_back(s.ns[c][i] / s.ns[base][i]);
    added.push_back(s.ns[c][i] - s.ns[base][i]);
  }
  Ratio out;
  out.n = r.size();
  if (r.empty()) return out;
  out.median = Median(r);
  out.low = *std::min_element(r.begin(), r.end());
  out.high = *std::max_element(r.begin(), r.end());
  out.added_ns = Median(added);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "bench_type_cost: needs root (loads BPF programs)\n");
    return 2;
  }
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  std::vector<std::string> only(argv + std::min(argc, 2), argv + argc);
  spdlog::set_level(spdlog::level::warn);
  libbpf_set_print(nullptr);
  setvbuf(stdout, nullptr, _IOLBF, 0);  // one line per type as it is measured

  std::printf(
      "type cost: a selected type whose calls the scope filters out in the kernel; %d interleaved "
      "repetitions,\n  fastest of %d slices of %ld calls, timed on the caller's thread CPU clock; "
      "ratio = with / without programs (median, [min-max])\n",
      reps, kSlices, kSliceCalls);
  std::printf("  %-15s %-38s %8s %20s %20s %12s\n", "type", "call", "base ns", "floor ratio",
              "vigil ratio", "vigil-floor");
  int failures = 0;
  for (const TypeCase& c : kCases) {
    if (!only.empty() && std::find(only.begin(), only.end(), c.type) == only.end()) continue;
    const auto type = EventTypeOf(c.type);
    if (!type) {
      std::printf("  %-15s unknown event type\n", c.type);
      ++failures;
      continue;
    }
    Series s;
    Measure(c);  // warm-up, discarded
    for (int r = 0; r < reps; ++r) RunRepetition(c, *type, r, s);
    const Ratio floor = Compare(s, kFloor, kNone);
    const Ratio vigil = Compare(s, kVigil, kNone);
    const Ratio over = Compare(s, kVigil, kFloor);
    std::vector<double> base;
    for (double v : s.ns[kNone])
      if (v > 0) base.push_back(v);
    if (floor.n == 0 || vigil.n == 0 || base.empty()) {
      std::printf("  %-15s %-38s not measured (programs did not start)\n", c.type, c.call);
      ++failures;
      continue;
    }
    char fl[32], vg[32];
    std::snprintf(fl, sizeof(fl), "%.3f [%.2f-%.2f]", floor.median, floor.low, floor.high);
    std::snprintf(vg, sizeof(vg), "%.3f [%.2f-%.2f]", vigil.median, vigil.low, vigil.high);
    std::printf("  %-15s %-38s %8.1f %20s %20s %+9.1f ns  (%zu tracepoints)\n", c.type, c.call,
                Median(base), fl, vg, over.added_ns, s.tracepoints);
  }
  unlink(kScratch);
  return failures == 0 ? 0 : 1;
}
