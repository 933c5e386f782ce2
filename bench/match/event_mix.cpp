#include "event_mix.h"

#include <array>
#include <random>

#include "match/derive.h"

namespace vigil::bench {
namespace {

using lang::EventType;

lang::FieldId F(const char* name) {
  return *lang::FieldByName(name);
}

struct Proc {
  const char* name;
  const char* exe;
  std::vector<const char*> ancestors;
  std::vector<const char*> args;
  uint64_t uid;
};

const std::vector<Proc>& Procs() {
  static const std::vector<Proc> kProcs = {
      {"nginx", "/usr/sbin/nginx", {"nginx", "systemd"}, {"nginx: worker process"}, 33},
      {"python3",
       "/usr/bin/python3.11",
       {"bash", "sshd", "sshd", "systemd"},
       {"python3", "app.py"},
       1000},
      {"bash", "/usr/bin/bash", {"sshd", "sshd", "systemd"}, {"-bash"}, 1000},
      {"java", "/usr/lib/jvm/java-17/bin/java", {"systemd"}, {"java", "-jar", "svc.jar"}, 998},
      {"node",
       "/usr/bin/node",
       {"npm", "bash", "tmux: server", "systemd"},
       {"node", "server.js"},
       1000},
      {"systemd-journal",
       "/usr/lib/systemd/systemd-journald",
       {"systemd"},
       {"/lib/systemd/systemd-journald"},
       0},
      {"cron", "/usr/sbin/cron", {"systemd"}, {"/usr/sbin/cron", "-f"}, 0},
      {"sshd", "/usr/sbin/sshd", {"sshd", "systemd"}, {"sshd: alice [priv]"}, 0},
      {"ls", "/usr/bin/ls", {"bash", "sshd", "sshd", "systemd"}, {"ls", "-la"}, 1000},
      {"curl",
       "/usr/bin/curl",
       {"sh", "cron", "systemd"},
       {"curl", "-s", "https://example.com/"},
       0},
      {"postgres",
       "/usr/lib/postgresql/15/bin/postgres",
       {"postgres", "systemd"},
       {"postgres: checkpointer"},
       114},
      {"containerd-shim",
       "/usr/bin/containerd-shim-runc-v2",
       {"systemd"},
       {"containerd-shim-runc-v2"},
       0},
  };
  return kProcs;
}

const std::array<const char*, 24> kOpenPaths = {
    "/etc/ld.so.cache",
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/usr/lib/x86_64-linux-gnu/libpthread.so.0",
    "/proc/self/status",
    "/proc/1234/stat",
    "/proc/meminfo",
    "/sys/fs/cgroup/cpu.max",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/localtime",
    "/var/log/nginx/access.log",
    "/var/lib/postgresql/15/main/base/16384/2619",
    "/home/alice/.cache/pip/http/a/b/c",
    "/tmp/tmpa81x3k/data.json",
    "/dev/null",
    "/dev/urandom",
    "/usr/share/zoneinfo/UTC",
    "/srv/app/static/index.html",
    "/run/systemd/journal/socket",
    "/usr/lib/python3.11/json/__init__.py",
    "/etc/shadow",
    "/root/.ssh/authorized_keys",
};

const std::array<const char*, 8> kExecPaths = {
    "/usr/bin/ls",   "/usr/bin/cat", "/usr/bin/grep", "/usr/bin/python3.11",
    "/usr/bin/curl", "/bin/sh",      "/usr/bin/git",  "/tmp/.x/kworker",
};

const std::array<const char*, 6> kAddrs = {
    "10.0.3.17",       "172.17.0.2",           "93.184.216.34",
    "169.254.169.254", "2606:4700::6810:85e5", "127.0.0.1"};
const std::array<int64_t, 6> kPorts = {443, 80, 5432, 53, 8080, 4444};

}  // namespace

std::vector<match::EventRecord> MakeEventMix(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<match::EventRecord> out(count);
  for (size_t i = 0; i < count; ++i) {
    match::EventRecord& r = out[i];
    const Proc& p = Procs()[pick(Procs().size())];
    // 62% open, 12% exec, 8% connect, 6% fork, 6% exit, 6% other.
    size_t roll = pick(100);
    EventType type = roll < 62   ? EventType::kOpen
                     : roll < 74 ? EventType::kExec
                     : roll < 82 ? EventType::kConnect
                     : roll < 88 ? EventType::kFork
                     : roll < 94 ? EventType::kExit
                                 : std::array{EventType::kUnlink, EventType::kRename,
                                              EventType::kChmod,  EventType::kSocket,
                                              EventType::kSetuid, EventType::kMemfdCreate}[pick(6)];
    r.set_type(type);
    r.SetUint(F("evt.time"), 1764063500000000000ull + i * 1000);
    r.SetUint(F("evt.boottime"), 5000000000ull + i * 1000);
    r.SetInt(F("proc.pid"), 1000 + static_cast<int64_t>(pick(30000)));
    r.SetInt(F("proc.tid"), r.Int(F("proc.pid")));
    r.SetString(F("proc.name"), p.name);
    r.SetString(F("proc.exe"), p.exe);
    r.SetUint(F("proc.uid"), p.uid);
    r.SetUint(F("proc.euid"), p.uid);
    r.SetString(F("proc.cwd"), "/srv/app");
    r.ClearList(F("proc.args"));
    for (const char* a : p.args) r.AppendToList(F("proc.args"), a);
    r.ClearList(F("proc.ancestors.name"));
    for (const char* a : p.ancestors) r.AppendToList(F("proc.ancestors.name"), a);
    if (pick(5) == 0) r.SetString(F("container.id"), "3f2a9c5e1b7d");
    switch (type) {
      case EventType::kOpen: {
        const char* path = kOpenPaths[pick(kOpenPaths.size())];
        r.SetString(F("file.path"), path);
        uint64_t flags = pick(10) < 8 ? 02000000 : (01 | 0100 | 01000);
        r.SetUint(F("open.flags"), flags);
        r.SetInt(F("evt.retval"), pick(20) == 0 ? -2 : 3);
        break;
      }
      case EventType::kExec: {
        const char* path = kExecPaths[pick(kExecPaths.size())];
        r.SetString(F("exec.filename"), path);
        r.SetString(F("proc.exe"), path);
        r.SetInt(F("evt.retval"), 0);
        break;
      }
      case EventType::kConnect: {
        size_t k = pick(kAddrs.size());
        r.SetAddress(F("net.daddr"), *ParseIpAddress(kAddrs[k]));
        r.SetInt(F("net.dport"), kPorts[pick(kPorts.size())]);
        r.SetInt(F("net.family"), k == 4 ? 10 : 2);
        r.SetInt(F("evt.retval"), 0);
        break;
      }
      case EventType::kUnlink:
      case EventType::kRename:
      case EventType::kChmod:
        r.SetString(F("file.path"), kOpenPaths[pick(kOpenPaths.size())]);
        if (type == EventType::kRename) r.SetString(F("file.newpath"), "/tmp/x.bak");
        if (type == EventType::kChmod) r.SetUint(F("chmod.mode"), pick(4) ? 0644 : 04755);
        r.SetInt(F("evt.retval"), 0);
        break;
      case EventType::kSetuid:
        r.SetInt(F("setuid.uid"), 0);
        r.SetInt(F("evt.retval"), 0);
        break;
      case EventType::kExit:
        r.SetInt(F("exit.code"), 0);
        break;
      default:
        r.SetInt(F("evt.retval"), 0);
        break;
    }
    match::DeriveFields(r);
  }
  return out;
}

std::string MakeExtraRules(size_t count) {
  static const char* const kShapes[] = {
      // open: path prefixes, names, sets; exec: names, lineage, regex; connect: ports, blocks.
      "on open\n  when file.path startswith \"/opt/bench%1$zu/\" or file.path startswith "
      "\"/var/lib/bench%1$zu/\"\n",
      "on open\n  when file.name in [\"bench%1$zu.conf\", \"bench%1$zu.key\", \"id_bench%1$zu\"] "
      "and open.write\n",
      "on open\n  when file.path glob \"/home/*/.bench%1$zu/*\" and proc.name not in [sshd, "
      "sudo]\n",
      "on exec\n  when proc.name in [bench%1$zu, xbench%1$zu] and proc.aname[1] in [bash, sh]\n",
      "on exec\n  when proc.cmdline matches 'bench%1$zu[0-9]+\\.sh' and not proc.exe startswith "
      "\"/usr/\"\n",
      "on connect\n  when net.dport == %2$zu and net.daddr not in [cidr(\"10.0.0.0/8\"), "
      "cidr(\"127.0.0.0/8\")]\n",
      "on [open, exec]\n  when proc.ancestors.name intersects [bench%1$zu] and "
      "lower(proc.name) icontains \"bench\"\n",
  };
  std::string out;
  char buf[512];
  for (size_t i = 0; i < count; ++i) {
    const char* shape = kShapes[i % (sizeof kShapes / sizeof kShapes[0])];
    std::snprintf(buf, sizeof buf, shape, i, static_cast<size_t>(20000 + i));
    out += "rule bench_extra_" + std::to_string(i) + " {\n  desc \"generated\"\n  severity low\n" +
           "  tags [bench_extra]\n  " + buf + "  output \"{proc.name} {evt.type}\"\n}\n";
  }
  if (count == 0) return out;  // a policy naming a tag no rule has is an error
  out +=
      "policy bench_extra {\n  desc \"generated rules\"\n  scope global\n  rules "
      "[tag:bench_extra]\n}\n";
  return out;
}

}  // namespace vigil::bench
