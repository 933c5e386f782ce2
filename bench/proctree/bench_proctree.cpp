// Process tree benchmark: lifecycle updates per second (fork/exec/exit) on one thread, and heap
// bytes per tracked process at 100,000 processes with realistic names and arguments. Prints the
// figures, the ratio to the goals (>= 2M updates/s, <= 1 KiB/process) and, as the baseline
// measured in the same run, the same update stream applied to a bare hash map of fixed records.
// No timed assertions: this reports, CI does not fail on it.
//
// usage: bench_proctree [LIFECYCLES] [MEMORY_PROCESSES] [CURVE.tsv]   (defaults 500000, 100000;
// with CURVE.tsv, also memory at 1,000 to 100,000 live processes, written there)
#include <malloc.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "proctree/entity.h"
#include "proctree/process_tree.h"

namespace {

using vigil::proctree::ExecInput;
using vigil::proctree::ExitInput;
using vigil::proctree::ForkInput;
using vigil::proctree::ProcessTree;
using vigil::proctree::TreeLimits;

constexpr double kGoalUpdatesPerSec = 2'000'000.0;
constexpr double kGoalBytesPerProcess = 1024.0;

// Programs a busy container host runs, with argument shapes to match. {N} is replaced by a
// number that makes the command line unique (ids, ports, temp files), as real ones often are.
struct Program {
  const char* exe;
  std::vector<const char*> args;
};

const std::vector<Program>& Programs() {
  static const std::vector<Program> programs = {
      {"/usr/bin/bash", {"bash", "-c", "cd /srv/app && ./deploy.sh --release {N}"}},
      {"/usr/bin/bash", {"/bin/bash"}},
      {"/usr/bin/sh", {"sh", "-c", "test -f /var/run/app.pid && kill -0 $(cat /var/run/app.pid)"}},
      {"/usr/bin/sleep", {"sleep", "{N}"}},
      {"/usr/bin/cat", {"cat", "/proc/{N}/status"}},
      {"/usr/bin/grep", {"grep", "-E", "ERROR|WARN", "/var/log/app/app-{N}.log"}},
      {"/usr/bin/ls", {"ls", "-la", "/tmp"}},
      {"/usr/bin/ps", {"ps", "-eo", "pid,ppid,comm,args"}},
      {"/usr/bin/curl", {"curl", "-sf", "http://127.0.0.1:{N}/healthz"}},
      {"/usr/bin/git", {"git", "-C", "/srv/repo", "fetch", "--prune", "origin"}},
      {"/usr/sbin/nginx", {"nginx: worker process"}},
      {"/usr/bin/python3.11",
       {"python3", "/opt/app/manage.py", "runworker", "--queue", "default", "--id", "{N}"}},
      {"/usr/bin/node", {"node", "/srv/web/server.js", "--port", "{N}"}},
      {"/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
       {"java", "-Xmx2g", "-XX:+UseG1GC", "-Dlog4j2.formatMsgNoLookups=true", "-cp",
        "/opt/svc/lib/app.jar:/opt/svc/lib/guava-32.1.2-jre.jar:/opt/svc/lib/"
        "jackson-databind-2.15.2."
        "jar:/opt/svc/lib/netty-all-4.1.97.Final.jar:/opt/svc/lib/slf4j-api-2.0.9.jar",
        "com.example.svc.Main", "--instance={N}"}},
      {"/usr/bin/containerd-shim-runc-v2",
       {"/usr/bin/containerd-shim-runc-v2", "-namespace", "k8s.io", "-id", "{HEX}", "-address",
        "/run/containerd/containerd.sock"}},
      {"/usr/sbin/runc", {"runc", "--root", "/run/containerd/runc/k8s.io", "exec", "{HEX}"}},
      {"/usr/bin/kubelet", {"/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml"}},
      {"/usr/lib/postgresql/15/bin/postgres", {"postgres: app app 10.0.0.{N}(5432) idle"}},
      {"/usr/bin/awk", {"awk", "{print $1}", "/var/log/nginx/access.log"}},
      {"/usr/bin/date", {"date", "+%s"}},
  };
  return programs;
}

std::string Expand(const char* pattern, uint64_t n, std::mt19937_64& rng) {
  std::string out = pattern;
  if (size_t at = out.find("{N}"); at != std::string::npos) {
    out.replace(at, 3, std::to_string(n % 100000));
  }
  if (size_t at = out.find("{HEX}"); at != std::string::npos) {
    char hex[65];
    for (int i = 0; i < 64; i += 16)
      std::snprintf(hex + i, 17, "%016llx", (unsigned long long)rng());
    out.replace(at, 5, std::string(hex, 64));
  }
  return out;
}

enum class Kind : uint8_t { kFork, kExec, kExit };
// Events carry the entities the kernel computed, so the stream does too (hashing is not timed).
struct Op {
  Kind kind;
  uint32_t pid, ppid;
  uint64_t entity, parent_entity, start_ns, ts_ns;
  uint32_t argv_index;  // into Workload::argvs (exec)
  uint16_t program;
};

struct Workload {
  std::vector<Op> ops;
  std::vector<std::vector<std::string>> argvs;
};

// A steady state of `live` processes: each lifecycle forks a child of a random live process,
// exec's a program in it, and ends the oldest process.
Workload MakeWorkload(size_t lifecycles, size_t live, uint32_t first_pid) {
  std::mt19937_64 rng(42);
  Workload w;
  w.ops.reserve(lifecycles * 3);
  w.argvs.reserve(lifecycles + 1);
  struct Live {
    uint32_t pid;
    uint64_t start;
  };
  std::vector<Live> alive;
  uint32_t next_pid = first_pid;
  uint64_t clock = 1'000'000'000;
  const auto& programs = Programs();
  size_t oldest = 0;
  for (size_t i = 0; i < lifecycles; ++i) {
    clock += 10'000;  // 10 us between lifecycles: 100k new processes per second
    Live parent = alive.empty() ? Live{1, 0} : alive[oldest + rng() % (alive.size() - oldest)];
    Live child{next_pid++, clock};
    if (next_pid > 4'000'000) next_pid = first_pid;  // pid reuse, as on a real host
    uint16_t program = static_cast<uint16_t>(rng() % programs.size());
    std::vector<std::string> argv;
    for (const char* a : programs[program].args) argv.push_back(Expand(a, i, rng));
    w.argvs.push_back(std::move(argv));
    const uint64_t entity = vigil::proctree::EntityFromStartNs(child.pid, child.start);
    const uint64_t parent_entity =
        parent.start ? vigil::proctree::EntityFromStartNs(parent.pid, parent.start) : 0;
    w.ops.push_back(
        {Kind::kFork, child.pid, parent.pid, entity, parent_entity, child.start, clock, 0, 0});
    w.ops.push_back({Kind::kExec, child.pid, parent.pid, entity, parent_entity, child.start,
                     clock + 1, static_cast<uint32_t>(w.argvs.size() - 1), program});
    alive.push_back(child);
    if (alive.size() - oldest > live) {
      Live gone = alive[oldest++];
      w.ops.push_back({Kind::kExit, gone.pid, 0,
                       vigil::proctree::EntityFromStartNs(gone.pid, gone.start), 0, gone.start,
                       clock + 2, 0, 0});
    }
  }
  return w;
}

void Apply(ProcessTree& tree, const Workload& w, const Op& op) {
  const auto& programs = Programs();
  switch (op.kind) {
    case Kind::kFork: {
      ForkInput f;
      f.pid = op.pid;
      f.ppid = op.ppid;
      f.start_ns = op.start_ns;
      f.parent_entity = op.parent_entity;
      f.entity = op.entity;
      f.ts_ns = op.ts_ns;
      f.comm = "bash";
      tree.OnFork(f);
      break;
    }
    case Kind::kExec: {
      ExecInput e;
      e.pid = op.pid;
      e.ppid = op.ppid;
      e.start_ns = op.start_ns;
      e.entity = op.entity;
      e.parent_entity = op.parent_entity;
      e.ts_ns = op.ts_ns;
      std::string_view exe = programs[op.program].exe;
      e.exe = exe;
      e.comm = exe.substr(exe.rfind('/') + 1).substr(0, 15);
      e.args = w.argvs[op.argv_index];
      tree.OnExec(e);
      break;
    }
    case Kind::kExit: {
      ExitInput x;
      x.pid = op.pid;
      x.start_ns = op.start_ns;
      x.entity = op.entity;
      x.ts_ns = op.ts_ns;
      tree.OnExit(x);
      break;
    }
  }
}

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of this thread: the machine is shared, so wall time also counts other work.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The floor: the same stream on a hash map of fixed-size records (no strings, no lineage).
double BaselineUpdatesPerSec(const Workload& w) {
  struct Rec {
    uint64_t parent, start;
    uint32_t pid;
    uint16_t program;
    bool exited;
  };
  std::unordered_map<uint64_t, Rec> map;
  const double c0 = ThreadCpuSeconds();
  for (const Op& op : w.ops) {
    const uint64_t e = op.entity;
    switch (op.kind) {
      case Kind::kFork:
        map[e] = Rec{op.ppid, op.start_ns, op.pid, 0, false};
        break;
      case Kind::kExec: {
        auto it = map.find(e);
        if (it != map.end()) it->second.program = op.program;
        break;
      }
      case Kind::kExit:
        map.erase(e);
        break;
    }
  }
  const double c1 = ThreadCpuSeconds();
  if (map.size() == 0) std::printf("(baseline emptied)\n");
  return static_cast<double>(w.ops.size()) / (c1 - c0);
}

struct MemoryPoint {
  size_t processes = 0;
  double heap_bytes = 0, per_process = 0;
  uint64_t interned = 0, interned_bytes = 0, args_truncated = 0;
};

// Heap grown by a tree of `processes` live processes with realistic names and arguments.
MemoryPoint MeasureMemory(size_t processes) {
  Workload grow = MakeWorkload(processes, processes + 1, 2);
  malloc_trim(0);
  const size_t before = mallinfo2().uordblks;
  MemoryPoint p;
  ProcessTree big;
  for (const Op& op : grow.ops) Apply(big, grow, op);
  p.processes = big.live_count();
  p.heap_bytes = static_cast<double>(mallinfo2().uordblks - before);
  p.per_process = p.heap_bytes / static_cast<double>(p.processes);
  p.interned = big.string_stats().entries;
  p.interned_bytes = big.string_stats().bytes;
  p.args_truncated = big.stats().args_truncated;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t lifecycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 500000;
  const size_t memory_processes = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;

  // ---- throughput: steady state of 5,000 live processes, exited ones expiring after 1 s ----
  Workload churn = MakeWorkload(lifecycles, 5000, 1000);
  TreeLimits limits;
  limits.exit_grace_ns = 1'000'000'000;
  ProcessTree tree(limits);
  auto t0 = std::chrono::steady_clock::now();
  const double c0 = ThreadCpuSeconds();
  size_t n = 0;
  for (const Op& op : churn.ops) {
    Apply(tree, churn, op);
    if ((++n & 1023) == 0) tree.Expire(op.ts_ns);
  }
  const double c1 = ThreadCpuSeconds();
  auto t1 = std::chrono::steady_clock::now();
  const double updates_per_sec = static_cast<double>(churn.ops.size()) / (c1 - c0);
  const double baseline = BaselineUpdatesPerSec(churn);
  std::printf(
      "proctree lifecycle: %zu updates (fork/exec/exit), %.3f s CPU on one thread (%.3f s wall)\n",
      churn.ops.size(), c1 - c0, Seconds(t0, t1));
  std::printf("  updates/s (CPU)     %12.0f   goal >= %.0f   ratio to goal %.2fx\n",
              updates_per_sec, kGoalUpdatesPerSec, updates_per_sec / kGoalUpdatesPerSec);
  std::printf("  baseline updates/s  %12.0f   (bare hash map, same stream)  tree/baseline %.2f\n",
              baseline, updates_per_sec / baseline);
  std::printf(
      "  tree at end: %zu processes (%zu live), pid reuse %llu, expired %llu, evicted %llu\n",
      tree.size(), tree.live_count(), static_cast<unsigned long long>(tree.stats().pid_reuse),
      static_cast<unsigned long long>(tree.stats().expired),
      static_cast<unsigned long long>(tree.stats().evicted_exited));

  // ---- memory: 100,000 live processes with realistic names and arguments ----
  const MemoryPoint point = MeasureMemory(memory_processes);
  std::printf("proctree memory: %zu live processes, %.1f MiB of heap\n", point.processes,
              point.heap_bytes / (1024.0 * 1024.0));
  std::printf("  bytes/process       %12.0f   goal <= %.0f      ratio to goal %.2fx\n",
              point.per_process, kGoalBytesPerProcess, point.per_process / kGoalBytesPerProcess);
  std::printf("  interned texts: %llu (%llu bytes), args truncated %llu\n",
              static_cast<unsigned long long>(point.interned),
              static_cast<unsigned long long>(point.interned_bytes),
              static_cast<unsigned long long>(point.args_truncated));

  // ---- memory against live processes: the curve (bench/results), 1,000 to 100,000 ----
  if (argc > 3) {
    FILE* data = std::fopen(argv[3], "w");
    if (!data) return 1;
    std::fprintf(data, "# live_processes\theap_MiB\tbytes_per_process\n");
    std::printf("proctree memory curve (%s):\n", argv[3]);
    for (size_t n : {1000, 3000, 10000, 30000, 100000}) {
      const MemoryPoint p = MeasureMemory(n);
      std::fprintf(data, "%zu\t%.2f\t%.0f\n", p.processes, p.heap_bytes / (1024.0 * 1024.0),
                   p.per_process);
      std::printf("  %7zu live: %8.2f MiB, %5.0f bytes/process\n", p.processes,
                  p.heap_bytes / (1024.0 * 1024.0), p.per_process);
    }
    std::fclose(data);
  }
  return 0;
}
