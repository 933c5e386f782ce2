// SPDX-License-Identifier: GPL-2.0
/* vigil's kernel sensors: process lifecycle (always attached), one enter/exit tracepoint pair per
 * syscall of bpf/events.h's table (attached only when a policy selects it), a raw_syscalls
 * fallback for selected syscalls without a tracepoint, and TCP state changes on their own ring
 * buffer. Scope filtering happens here, before anything is sent (docs/kernel.md). */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "entity.h"
#include "events.h"
#include "maps.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load from the helper probe (engine/kernel/clock.h). */
const volatile bool use_boottime = true;
/* Bytes of an exec's argument list that are read, at most VIGIL_ARGV_CAP (`--max-args-bytes`). */
const volatile __u32 argv_max = VIGIL_ARGV_DEFAULT;
/* Environment variables an exec reports (`--env-names`): vigil_env_hash of each name. */
const volatile __u32 env_name_count = 0;
const volatile __u64 env_name_hash[VIGIL_ENV_NAMES] = {};
/* Per-process event budget (`--process-event-rate`): at most proc_budget selected syscall events
 * per proc_budget_window_ns per process; 0: no budget. Lifecycle and network events are never
 * counted against it. */
const volatile __u32 proc_budget = 0;
const volatile __u64 proc_budget_window_ns = 100000000;
/* Bytes waiting in the main ring buffer from which a syscall record wakes the reader (set from
 * the ring's size before load; see deliver_flags); 0: every record may wake it. */
const volatile __u64 wakeup_bytes = 1 << 20;
/* Set by the reader (RingReader, through the skeleton's mmapped .bss) before it sleeps with a long
 * timeout; the first main-ring record after that clears it and wakes the reader (wake_reader). */
volatile __u64 reader_asleep = 0; /* 64 bits: this clang has no 32-bit atomics for BPF */

/* Source for initialising an inflight record (read-only, never written). */
static const struct vigil_syscall_event zero_syscall_event;

#define PR_SET_NAME 15
#define IPPROTO_TCP 6
#define AF_INET 2

enum refresh_mode { REFRESH_REBUILD = 0, REFRESH_RECOMPUTE = 1, REFRESH_EXEC = 2 };

/* Older kernels name the boottime start field real_start_time. */
struct task_struct___old {
  u64 real_start_time;
} __attribute__((preserve_access_index));

/* The inode's modification time before 6.6 (i_mtime) and in 6.6 (__i_mtime); later kernels
 * keep i_mtime_sec and i_mtime_nsec. */
struct inode___old {
  struct timespec64 i_mtime;
} __attribute__((preserve_access_index));
struct inode___v66 {
  struct timespec64 __i_mtime;
} __attribute__((preserve_access_index));

/* What a scope is evaluated against. */
struct scope_input {
  u64 uid;
  u64 gid;
  u64 pid;
  u64 mntns;
  u64 pidns;
  u64 cgroup;
  u64 start_ns;
  u64 exe_hash;
  char comm[VIGIL_COMM_LEN];
  char uts[VIGIL_UTS_LEN];
  /* follow, per lane (bpf/events.h): in: the follow filters passed by an ancestor; out (set by
   * eval_scope): the follow filters the process passes by itself */
  u64 inherited[VIGIL_FOLLOW_LANES];
  u64 own_follow[VIGIL_FOLLOW_LANES];
};

static __always_inline void stat_add(u32 which) {
  u64* v = bpf_map_lookup_elem(&stats, &which);
  if (v) *v += 1;
}

static __always_inline u64 now_ns(void) {
  return use_boottime ? bpf_ktime_get_boot_ns() : bpf_ktime_get_ns();
}

static __always_inline u32 current_version(void) {
  u32 zero = 0;
  u32* v = bpf_map_lookup_elem(&active_version, &zero);
  return v ? *v : 0;
}

static __always_inline u64 wanted_by(u32 version, u32 type) {
  u32 slot = (version % VIGIL_VERSION_SLOTS) * VIGIL_EVT_MAX + type;
  struct vigil_event_policies* e = bpf_map_lookup_elem(&event_policies, &slot);
  return e && e->version == version ? e->policies : 0;
}

static __always_inline u64 task_start_ns(struct task_struct* t) {
  struct task_struct* leader = BPF_CORE_READ(t, group_leader);
  if (bpf_core_field_exists(leader->start_boottime)) return BPF_CORE_READ(leader, start_boottime);
  return BPF_CORE_READ((struct task_struct___old*)leader, real_start_time);
}

static __always_inline u64 task_pidns(struct task_struct* t) {
  struct pid* p = BPF_CORE_READ(t, thread_pid);
  unsigned int level = BPF_CORE_READ(p, level);
  struct upid up = {};
  bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]);
  return BPF_CORE_READ(up.ns, ns.inum);
}

/* The task's tgid as its own pid namespace numbers it (the innermost level). */
static __always_inline u32 task_vpid(struct task_struct* t) {
  struct pid* p = BPF_CORE_READ(t, thread_pid);
  unsigned int level = BPF_CORE_READ(p, level);
  struct upid up = {};
  bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]);
  return up.nr;
}

static __always_inline void fill_input(struct task_struct* t, struct scope_input* in) {
  /* Zeroed first: comm and uts are map keys compared on all their bytes, and `in` may hold an
   * ancestor's longer name from a previous call. */
  __builtin_memset(in, 0, sizeof(*in));
  in->uid = BPF_CORE_READ(t, cred, uid.val);
  in->gid = BPF_CORE_READ(t, cred, gid.val);
  in->pid = BPF_CORE_READ(t, tgid);
  in->mntns = BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
  in->pidns = task_pidns(t);
  in->cgroup = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
  in->start_ns = task_start_ns(t);
  bpf_probe_read_kernel_str(in->comm, sizeof(in->comm), &t->comm);
  struct uts_namespace* uts = BPF_CORE_READ(t, nsproxy, uts_ns);
  bpf_probe_read_kernel_str(in->uts, sizeof(in->uts), &uts->name.nodename);
}

/* Result of one filter kind for all policies: `eq` has the bit of each policy whose value set
 * contains the key; policies that do not use the kind pass. A follow filter of the kind also
 * passes when an ancestor passed it (in->inherited), and what the process passes by itself is
 * noted for its children (in->own_follow). */
static __always_inline u64 apply_kind(u64 res, struct vigil_policy_config* cfg, int kind, u64 eq,
                                      struct scope_input* in) {
  u64 enabled = cfg->enabled[kind];
  if (!enabled) return res;
  u64 negated = cfg->negated[kind];
  u64 pass = (eq & ~negated) | (~eq & negated);
  u64 inherited = 0;
  for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) {
    u64 lane_kind = cfg->follow_kind[lane][kind];
    in->own_follow[lane] |= pass & lane_kind;
    inherited |= in->inherited[lane] & lane_kind;
  }
  return res & (pass | inherited | ~enabled);
}

static __always_inline u64 num_lookup(void* map, u32 version, u64 value) {
  struct vigil_num_key key = {.version = version, .value = value};
  u64* bits = bpf_map_lookup_elem(map, &key);
  return bits ? *bits : 0;
}

static __always_inline u64 in_ranges(struct vigil_policy_config* cfg, int which, u64 enabled,
                                     u64 value) {
  u64 bits = 0;
  for (int p = 0; p < VIGIL_MAX_POLICIES; p++) {
    if (!(enabled & (1ULL << p))) continue;
    for (int r = 0; r < VIGIL_MAX_RANGES; r++) {
      struct vigil_range* rg = &cfg->ranges[which][p][r];
      if (rg->lo <= rg->hi && value >= rg->lo && value <= rg->hi) bits |= 1ULL << p;
    }
  }
  return bits;
}

/* Which policies' scopes the process described by `in` satisfies, counting the follow filters in
 * in->inherited as passed. Sets in->own_follow. */
__noinline u64 eval_scope(struct scope_input* in, u32 version) {
  if (!in) return 0;
  for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) in->own_follow[lane] = 0;
  struct vigil_policy_config* cfg = bpf_map_lookup_elem(&policy_config, &version);
  if (!cfg) return 0;
  u64 res = cfg->policies;
  u64 eq;

  eq = num_lookup(&scope_uid, version, in->uid);
  if (cfg->enabled[VIGIL_SCOPE_UID])
    eq |= in_ranges(cfg, 0, cfg->enabled[VIGIL_SCOPE_UID], in->uid);
  res = apply_kind(res, cfg, VIGIL_SCOPE_UID, eq, in);

  eq = num_lookup(&scope_gid, version, in->gid);
  if (cfg->enabled[VIGIL_SCOPE_GID])
    eq |= in_ranges(cfg, 1, cfg->enabled[VIGIL_SCOPE_GID], in->gid);
  res = apply_kind(res, cfg, VIGIL_SCOPE_GID, eq, in);

  eq = num_lookup(&scope_pid, version, in->pid);
  if (cfg->enabled[VIGIL_SCOPE_PID])
    eq |= in_ranges(cfg, 2, cfg->enabled[VIGIL_SCOPE_PID], in->pid);
  res = apply_kind(res, cfg, VIGIL_SCOPE_PID, eq, in);

  if (cfg->enabled[VIGIL_SCOPE_MNTNS])
    res = apply_kind(res, cfg, VIGIL_SCOPE_MNTNS, num_lookup(&scope_mntns, version, in->mntns), in);
  if (cfg->enabled[VIGIL_SCOPE_PIDNS])
    res = apply_kind(res, cfg, VIGIL_SCOPE_PIDNS, num_lookup(&scope_pidns, version, in->pidns), in);
  if (cfg->enabled[VIGIL_SCOPE_CGROUP])
    res = apply_kind(res, cfg, VIGIL_SCOPE_CGROUP, num_lookup(&scope_cgroup, version, in->cgroup),
                     in);

  if (cfg->enabled[VIGIL_SCOPE_COMM]) {
    struct vigil_comm_key key = {.version = version};
    __builtin_memcpy(key.comm, in->comm, sizeof(key.comm));
    u64* bits = bpf_map_lookup_elem(&scope_comm, &key);
    res = apply_kind(res, cfg, VIGIL_SCOPE_COMM, bits ? *bits : 0, in);
  }
  if (cfg->enabled[VIGIL_SCOPE_UTS]) {
    struct vigil_uts_key key = {.version = version};
    __builtin_memcpy(key.name, in->uts, sizeof(key.name));
    u64* bits = bpf_map_lookup_elem(&scope_uts, &key);
    res = apply_kind(res, cfg, VIGIL_SCOPE_UTS, bits ? *bits : 0, in);
  }
  if (cfg->enabled[VIGIL_SCOPE_BINARY]) {
    struct vigil_binary_key key = {.version = version, .mntns = 0, .path_hash = in->exe_hash};
    u64 bits = 0;
    u64* any = bpf_map_lookup_elem(&scope_binary, &key);
    if (any) bits |= *any;
    key.mntns = in->mntns;
    u64* in_ns = bpf_map_lookup_elem(&scope_binary, &key);
    if (in_ns) bits |= *in_ns;
    res = apply_kind(res, cfg, VIGIL_SCOPE_BINARY, bits, in);
  }
  res = apply_kind(res, cfg, VIGIL_SCOPE_CONTAINER, in->pidns != cfg->host_pidns ? ~0ULL : 0, in);
  res = apply_kind(res, cfg, VIGIL_SCOPE_NEW, in->start_ns > cfg->loaded_at_ns ? ~0ULL : 0, in);
  return res;
}

/* Path walk state for bpf_loop: one call per path component (or mount crossing). A loop the
 * verifier would unroll branches out into 2^n states; bpf_loop verifies the step once. */
struct path_walk {
  struct dentry* d;
  struct vfsmount* vfs;
  struct mount* mnt;
  char* buf; /* 2 * VIGIL_PATH_MAX bytes; the path ends at buf[VIGIL_PATH_MAX] */
  u32 pos;
  u32 truncated;
};

static long path_step(u32 i, void* ctx) {
  struct path_walk* w = ctx;
  /* plain copies: BPF_CORE_READ on w->x would relocate against struct path_walk */
  struct dentry* d = w->d;
  struct vfsmount* vfs = w->vfs;
  struct mount* mnt = w->mnt;
  struct dentry* root = BPF_CORE_READ(vfs, mnt_root);
  struct dentry* parent = BPF_CORE_READ(d, d_parent);
  if (d == root) {
    struct mount* up = BPF_CORE_READ(mnt, mnt_parent);
    if (up == mnt || !up) return 1; /* the root of the mount tree */
    w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
    w->mnt = up;
    w->vfs = &up->mnt;
    return 0;
  }
  /* A dentry that is its own parent but not a mount root belongs to no tree: a pseudo file such
   * as an anonymous memory file ("memfd:NAME"). Its name alone is the path, as /proc shows it
   * (fileless execution is then visible as an exe of "/memfd:NAME"). */
  bool pseudo = d == parent;
  u32 len = BPF_CORE_READ(d, d_name.len);
  const unsigned char* name = BPF_CORE_READ(d, d_name.name);
  if (len > 255) len = 255;
  u32 pos = w->pos;
  if (len + 1 > pos || pos > VIGIL_PATH_MAX) {
    w->truncated = 1;
    return 1;
  }
  pos -= len + 1;
  char* buf = w->buf;
  if (!buf) return 1;
  bpf_probe_read_kernel(buf + (pos & (VIGIL_PATH_MAX - 1)) + 1, len & 255, name);
  buf[pos & (VIGIL_PATH_MAX - 1)] = '/';
  w->pos = pos;
  w->d = parent;
  return pseudo ? 1 : 0;
}

/* Writes the absolute path of (dentry, vfsmount) so that it ends at buf[VIGIL_PATH_MAX]; returns
 * its length and sets *off to where it starts. buf must hold 2 * VIGIL_PATH_MAX bytes. */
static __always_inline u32 build_path(struct dentry* d, struct vfsmount* vfs, char* buf, u32* off,
                                      bool* truncated) {
  struct path_walk w = {
      .d = d,
      .vfs = vfs,
      .mnt = container_of(vfs, struct mount, mnt),
      .buf = buf,
      .pos = VIGIL_PATH_MAX,
  };
  long n = bpf_loop(VIGIL_PATH_COMPONENTS, path_step, &w, 0);
  *truncated = w.truncated || n >= VIGIL_PATH_COMPONENTS;
  u32 pos = w.pos;
  if (pos >= VIGIL_PATH_MAX) {
    pos = VIGIL_PATH_MAX - 1;
    buf[VIGIL_PATH_MAX - 1] = '/';
  }
  *off = pos;
  return VIGIL_PATH_MAX - pos;
}

/* vigil_path_hash over buf[off, VIGIL_PATH_MAX) (bpf/entity.h). */
static __always_inline u64 hash_path(const char* buf, u32 off) {
  u64 h = VIGIL_PATH_HASH_SEED;
  u32 len = VIGIL_PATH_MAX - off;
  for (u32 i = 0; i < VIGIL_PATH_MAX / 8; i++) {
    u32 done = i * 8;
    if (done >= len) break;
    u32 at = off + done;
    barrier_var(at); /* keep the bounded index: clang would otherwise index from buf + off */
    u64 word = *(const u64*)(buf + (at & (VIGIL_PATH_MAX - 1)));
    u32 rest = len - done;
    if (rest < 8) word &= (1ULL << (rest * 8)) - 1;
    h = vigil_path_hash_step(h, word);
  }
  return vigil_path_hash_finish(h, len);
}

/* vigil_path_hash over buf[0, len), len < max; max is a power of two and buf holds at least
 * max + 7 readable bytes (the record it lives in goes on). */
static __always_inline u64 hash_prefix(const char* buf, u32 len, u32 max) {
  u64 h = VIGIL_PATH_HASH_SEED;
  for (u32 i = 0; i < VIGIL_PATH_MAX / 8; i++) {
    u32 done = i * 8;
    if (done >= len || done >= max) break;
    barrier_var(done);
    u64 word = *(const u64*)(buf + (done & (max - 1)));
    u32 rest = len - done;
    if (rest < 8) word &= (1ULL << (rest * 8)) - 1;
    h = vigil_path_hash_step(h, word);
  }
  return vigil_path_hash_finish(h, len);
}

static __always_inline u64 kill_lookup(u32 version, u32 kind, u64 hash) {
  struct vigil_kill_key key = {.version = version, .kind = kind, .hash = hash};
  u64* bits = bpf_map_lookup_elem(&kill_exec, &key);
  return bits ? *bits : 0;
}

/* Hash of a task's executable path. Scratch space is a reservation in the scratch ring buffer,
 * always discarded: it belongs to this program invocation alone. */
static __always_inline u64 task_exe_hash(struct task_struct* t) {
  struct file* exe = BPF_CORE_READ(t, mm, exe_file);
  if (!exe) return 0;
  char* buf = bpf_ringbuf_reserve(&scratch, 2 * VIGIL_PATH_MAX, 0);
  if (!buf) {
    stat_add(VIGIL_STAT_EXE_HASH_FAIL);
    return 0;
  }
  u32 off = 0;
  bool truncated = false;
  build_path(BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt), buf, &off,
             &truncated);
  u64 h = hash_path(buf, off);
  bpf_ringbuf_discard(buf, 0);
  return h;
}

/* The follow filters (per lane) that the ancestors of t pass on to it: each ancestor's own
 * passes, up to the nearest ancestor with a current proc_info entry, whose inherited lanes stand
 * for the ancestors above it. The same result as the fork handler's, which hands every child its
 * parent's own passes and inherited lanes. */
static __always_inline void ancestors_follow(struct task_struct* t, u32 version, bool need_exe,
                                             struct scope_input* in, u64* lanes) {
  for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) lanes[lane] = 0;
  struct task_struct* p = t;
  for (int i = 0; i < 8; i++) {
    p = BPF_CORE_READ(p, real_parent);
    if (!p) break;
    u32 ptgid = BPF_CORE_READ(p, tgid);
    if (ptgid == 0) break;
    struct vigil_proc_info* ppi = bpf_map_lookup_elem(&proc_info, &ptgid);
    bool current = ppi && ppi->version == version;
    fill_input(p, in);
    in->exe_hash = ppi ? ppi->exe_hash : (need_exe ? task_exe_hash(p) : 0);
    eval_scope(in, version);
    for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) {
      lanes[lane] |= in->own_follow[lane];
      if (current) lanes[lane] |= ppi->followed[lane];
    }
    if (current || ptgid == 1) break;
  }
}

/* Copies the scope decision of the current process into its group leader's scope_cache (created
 * when missing; without memory for it the stubs take the proc_info path). The version is written
 * last, after an invalid 0: a stub of another thread of the process that reads the entry
 * meanwhile sees either the whole old decision, or 0 and the proc_info path (stores are not
 * reordered with stores, nor loads with loads, on x86). */
static __always_inline void scope_cache_store(const struct vigil_proc_info* pi) {
  struct task_struct* task = bpf_get_current_task_btf();
  struct vigil_scope_cache* c =
      bpf_task_storage_get(&scope_cache, task->group_leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (!c) return;
  c->version = 0;
  barrier();
  c->matched = pi->matched;
  c->uid = pi->uid;
  c->gid = pi->gid;
  barrier();
  c->version = pi->version;
}

/* (Re)computes the proc_info entry of the current process: on a miss (rebuild from the task and
 * its ancestors), on exec (new exe hash), and when the uid/gid or the policy version changed.
 * The result is also written to *out, so an event is never lost when the map refuses the update. */
__noinline int refresh_current(u32 version, u32 mode, u64 exe_hash, struct vigil_proc_info* out) {
  if (!out) return -1;
  struct task_struct* t = (struct task_struct*)bpf_get_current_task();
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct vigil_policy_config* cfg = bpf_map_lookup_elem(&policy_config, &version);
  u64 follow = cfg ? cfg->follow : 0;
  bool need_exe = cfg && cfg->enabled[VIGIL_SCOPE_BINARY];
  struct vigil_proc_info* old = bpf_map_lookup_elem(&proc_info, &tgid);
  struct scope_input in = {};
  bool follow_valid = false;

  if (old) {
    *out = *old;
    follow_valid = old->version == version && (old->flags & VIGIL_PROC_FOLLOW_VALID);
  } else {
    __builtin_memset(out, 0, sizeof(*out));
    out->start_ns = task_start_ns(t);
    out->entity = vigil_entity(tgid, out->start_ns);
  }
  if (mode == REFRESH_EXEC) {
    out->exe_hash = exe_hash;
    /* The new program is followed wherever the old one was, by inheritance or by itself
     * (docs/language.md, "follow"): what the old image passed becomes inherited. */
    if (follow_valid)
      for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++)
        out->followed[lane] |= out->own_follow[lane];
  } else if (!old)
    out->exe_hash = need_exe ? task_exe_hash(t) : 0;
  if (!follow_valid) {
    if (follow) {
      ancestors_follow(t, version, need_exe, &in, out->followed);
    } else {
      for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) out->followed[lane] = 0;
    }
  }

  fill_input(t, &in);
  in.exe_hash = out->exe_hash;
  for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) in.inherited[lane] = out->followed[lane];
  out->matched = eval_scope(&in, version);
  for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) out->own_follow[lane] = in.own_follow[lane];
  out->version = version;
  out->uid = in.uid;
  out->gid = in.gid;
  out->flags |= VIGIL_PROC_FOLLOW_VALID;
  bpf_map_update_elem(&proc_info, &tgid, out, BPF_ANY);
  scope_cache_store(out);
  return 0;
}

/* The current process's entry, rebuilt or recomputed when needed. Returns the map entry, or buf
 * holding the computed state when the map could not keep it. On the hot path (every selected
 * syscall), tgid and credentials are plain loads from the task rather than helper calls: a
 * helper call costs about 15 ns on hosts with return-thunk mitigations (docs/kernel.md). */
static __always_inline struct vigil_proc_info* current_proc(u32 version,
                                                            struct vigil_proc_info* buf) {
  struct task_struct* task = bpf_get_current_task_btf();
  u32 tgid = task->tgid;
  struct vigil_proc_info* pi = bpf_map_lookup_elem(&proc_info, &tgid);
  if (!pi) {
    stat_add(VIGIL_STAT_PROC_MISS);
    refresh_current(version, REFRESH_REBUILD, 0, buf);
    stat_add(VIGIL_STAT_PROC_REBUILD);
    return buf;
  }
  /* the raw kuid/kgid, as bpf_get_current_uid_gid() and fill_input() report them */
  const struct cred* cred = task->cred;
  if (pi->version != version || pi->uid != cred->uid.val || pi->gid != cred->gid.val) {
    stat_add(VIGIL_STAT_PROC_RECOMPUTE);
    refresh_current(version, REFRESH_RECOMPUTE, 0, buf);
    return buf;
  }
  return pi;
}

static __always_inline void fill_header(struct vigil_event_header* h, u32 type, u64 entity,
                                        u32 version, u64 matched) {
  struct task_struct* t = (struct task_struct*)bpf_get_current_task();
  u64 pid_tgid = bpf_get_current_pid_tgid();
  u64 ug = bpf_get_current_uid_gid();
  h->type = type;
  h->entity = entity;
  h->matched = matched;
  h->policy_version = version;
  h->pid = pid_tgid >> 32;
  h->tid = (u32)pid_tgid;
  h->uid = (u32)ug;
  h->gid = ug >> 32;
  h->flags = 0;
  h->ppid = BPF_CORE_READ(t, real_parent, tgid);
  bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline void stamp(struct vigil_event_header* h) {
  h->cpu = bpf_get_smp_processor_id();
  h->ts_ns = now_ns();
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

#define VIGIL_PF_KTHREAD 0x00200000 /* task->flags: a kernel thread */

/* Never killed in the kernel: PID 1, kernel threads, and what user space listed in
 * kill_protected (the agent, its ancestors, --protect executables). */
static __always_inline bool kill_protected_current(u64 exe_hash) {
  struct task_struct* t = (struct task_struct*)bpf_get_current_task();
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (tgid <= 1 || (BPF_CORE_READ(t, flags) & VIGIL_PF_KTHREAD)) return true;
  struct vigil_protect_key key = {.kind = VIGIL_PROTECT_TGID, .value = tgid};
  if (bpf_map_lookup_elem(&kill_protected, &key)) return true;
  key.kind = VIGIL_PROTECT_EXE;
  key.value = exe_hash;
  return exe_hash && bpf_map_lookup_elem(&kill_protected, &key);
}

enum exec_kill_outcome { EXEC_KILL_NONE = 0, EXEC_KILL_SENT, EXEC_KILL_PROTECTED };

/* `action kill` decided in the kernel at exec (compile/exec_kill.h says which rules qualify):
 * sends SIGKILL to the current process when a kill policy among `matched` has a rule without
 * condition, or one whose exe path, execve filename or new name is listed in kill_exec, unless
 * the process is protected. filename holds filename_len bytes and at least VIGIL_PATH_MAX + 7
 * readable ones; comm is VIGIL_COMM_LEN bytes. */
static __always_inline enum exec_kill_outcome exec_kill(u32 version,
                                                        struct vigil_policy_config* cfg,
                                                        u64 matched, u64 exe_hash,
                                                        const char* filename, u32 filename_len,
                                                        bool filename_whole, const char* comm) {
  u64 kill = cfg ? matched & cfg->kill_exec : 0;
  if (!kill) return EXEC_KILL_NONE;
  u64 decided = cfg->kill_exec_any;
  decided |= kill_lookup(version, VIGIL_KILL_EXE, exe_hash);
  if (filename_whole)
    decided |= kill_lookup(version, VIGIL_KILL_FILENAME,
                           hash_prefix(filename, filename_len, VIGIL_PATH_MAX));
  u32 comm_len = 0;
  for (u32 i = 0; i < VIGIL_COMM_LEN; i++) {
    if (!comm[i]) break;
    comm_len++;
  }
  decided |= kill_lookup(version, VIGIL_KILL_COMM, hash_prefix(comm, comm_len, VIGIL_COMM_LEN));
  if (!(kill & decided)) return EXEC_KILL_NONE;
  if (kill_protected_current(exe_hash)) return EXEC_KILL_PROTECTED;
  return bpf_send_signal(9 /* SIGKILL */) == 0 ? EXEC_KILL_SENT : EXEC_KILL_NONE;
}

/* The main ring buffer had no room for this exec's event: the event is lost (counted as a drop),
 * but the process's scope cache and a kill decided in the kernel must not be. The exe path and
 * filename are read into scratch space instead. */
static __always_inline void exec_without_event(u32 version, struct linux_binprm* bprm) {
  struct vigil_proc_info state = {};
  char* buf = bpf_ringbuf_reserve(&scratch, 3 * VIGIL_PATH_MAX, 0);
  if (!buf) {
    stat_add(VIGIL_STAT_EXE_HASH_FAIL);
    refresh_current(version, REFRESH_EXEC, 0, &state);
    return;
  }
  struct file* file = BPF_CORE_READ(bprm, file);
  u32 off = 0;
  bool truncated = false;
  build_path(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), buf, &off,
             &truncated);
  refresh_current(version, REFRESH_EXEC, hash_path(buf, off), &state);
  struct vigil_policy_config* cfg = bpf_map_lookup_elem(&policy_config, &version);
  u64 matched = state.matched & wanted_by(version, VIGIL_EVT_EXEC);
  char* filename = buf + 2 * VIGIL_PATH_MAX;
  long n = bpf_probe_read_kernel_str(filename, VIGIL_PATH_MAX, BPF_CORE_READ(bprm, filename));
  char comm[VIGIL_COMM_LEN] = {};
  bpf_get_current_comm(comm, sizeof(comm));
  if (exec_kill(version, cfg, matched, state.exe_hash, filename, n > 0 ? n - 1 : 0,
                n > 0 && n < VIGIL_PATH_MAX, comm) == EXEC_KILL_SENT)
    stat_add(VIGIL_STAT_KILL_UNREPORTED);
  bpf_ringbuf_discard(buf, 0);
}

/* Environment scan state for bpf_loop: one step per environment string (or per VIGIL_ENV_STR - 1
 * bytes of a longer one). Each string is read into the record at `used`; it stays there (used
 * moves past it) only when its name is selected. */
struct env_walk {
  char* out; /* the record's env */
  unsigned long pos, end;
  u32 used;
  u32 flags;
  u32 in_long; /* pos is inside a string longer than one read */
};

static long env_step(u32 i, void* ctx) {
  struct env_walk* w = ctx;
  if (w->pos >= w->end) return 1;
  u32 used = w->used;
  if (used >= VIGIL_ENV_LEN) {
    w->flags |= VIGIL_EXEC_ENV_TRUNCATED; /* no room for more, and strings remain */
    return 1;
  }
  char* dst = w->out;
  if (!dst) return 1;
  dst += used & (VIGIL_ENV_LEN - 1);
  long n = bpf_probe_read_user_str(dst, VIGIL_ENV_STR, (void*)w->pos);
  if (n <= 0) {
    w->flags |= VIGIL_EXEC_ENV_TRUNCATED;
    return 1;
  }
  bool whole = n < VIGIL_ENV_STR; /* the string ended within this read */
  bool first = !w->in_long;
  w->pos += whole ? n : n - 1;
  w->in_long = !whole;
  if (!first) return 0; /* the rest of a long string, judged by its start */
  u64 h = VIGIL_ENV_HASH_SEED;
  u32 len = 0;
  bool named = false;
  for (u32 k = 0; k < VIGIL_ENV_NAME_MAX; k++) {
    char c = dst[k];
    if (c == '=') {
      named = true;
      break;
    }
    if (!c) break;
    h = vigil_env_hash_step(h, (u8)c);
    len++;
  }
  if (!named || len == 0) return 0;
  h = vigil_env_hash_finish(h, len);
  bool wanted = false;
  for (u32 k = 0; k < VIGIL_ENV_NAMES; k++) {
    if (k >= env_name_count) break;
    if (env_name_hash[k] == h) wanted = true;
  }
  if (!wanted) return 0;
  if (!whole) w->flags |= VIGIL_EXEC_ENV_VALUE_TRUNCATED;
  w->used = used + (u32)n; /* kept, with its NUL */
  return 0;
}

/* The selected environment variables of the new image (mm->env_start..env_end, which exec has
 * just written, so resident), bounded by VIGIL_ENV_STEPS reads. */
static __always_inline void scan_env(struct vigil_exec_event* e, struct task_struct* t) {
  struct env_walk w = {
      .out = e->env,
      .pos = BPF_CORE_READ(t, mm, env_start),
      .end = BPF_CORE_READ(t, mm, env_end),
  };
  bpf_loop(VIGIL_ENV_STEPS, env_step, &w, 0);
  if (w.pos < w.end) w.flags |= VIGIL_EXEC_ENV_TRUNCATED;
  u32 used = w.used;
  if (used > VIGIL_ENV_LEN + VIGIL_ENV_STR) used = 0;
  e->env_len = used;
  e->flags |= w.flags;
}

/* The executable's modification time (wall clock), whichever way this kernel keeps it. */
static __always_inline void exe_mtime(struct vigil_exec_event* e, struct file* file) {
  struct inode* ino = BPF_CORE_READ(file, f_inode);
  if (!ino) return;
  if (bpf_core_field_exists(ino->i_mtime_sec)) {
    e->exe_mtime_sec = BPF_CORE_READ(ino, i_mtime_sec);
    e->exe_mtime_nsec = BPF_CORE_READ(ino, i_mtime_nsec);
  } else if (bpf_core_field_exists(((struct inode___v66*)ino)->__i_mtime)) {
    e->exe_mtime_sec = BPF_CORE_READ((struct inode___v66*)ino, __i_mtime.tv_sec);
    e->exe_mtime_nsec = BPF_CORE_READ((struct inode___v66*)ino, __i_mtime.tv_nsec);
  } else if (bpf_core_field_exists(((struct inode___old*)ino)->i_mtime)) {
    e->exe_mtime_sec = BPF_CORE_READ((struct inode___old*)ino, i_mtime.tv_sec);
    e->exe_mtime_nsec = BPF_CORE_READ((struct inode___old*)ino, i_mtime.tv_nsec);
  } else {
    return;
  }
  e->flags |= VIGIL_EXEC_EXE_MTIME;
}

/* Descriptors 0 and 1 of the new image (close-on-exec has run): what each open one is, by its
 * inode, for proc.stdin.type and proc.stdout.type. Read here, the answer does not depend on the
 * process still running when user space gets to the event. */
static __always_inline void stdio_files(struct vigil_exec_event* e, struct task_struct* t) {
  struct fdtable* fdt = BPF_CORE_READ(t, files, fdt);
  if (!fdt) return;
  unsigned int max_fds = BPF_CORE_READ(fdt, max_fds);
  struct file** fds = BPF_CORE_READ(fdt, fd);
  if (!fds) return;
  for (int i = 0; i < 2; i++) {
    struct file* f = NULL;
    if ((unsigned int)i < max_fds && bpf_probe_read_kernel(&f, sizeof(f), fds + i) < 0) return;
    if (!f) continue;
    struct inode* ino = BPF_CORE_READ(f, f_inode);
    if (!ino) return;
    e->stdio_mode[i] = BPF_CORE_READ(ino, i_mode);
    e->stdio_rdev[i] = BPF_CORE_READ(ino, i_rdev);
    e->stdio_magic[i] = (u32)BPF_CORE_READ(ino, i_sb, s_magic);
    e->flags |= i == 0 ? VIGIL_EXEC_STDIN_OPEN : VIGIL_EXEC_STDOUT_OPEN;
  }
  e->flags |= VIGIL_EXEC_STDIO_KNOWN;
}

/* The wakeup flags of a record for the main buffer (defined with the syscall programs). */
static __always_inline u64 deliver_flags(void);
static __always_inline void wake_reader(void);

/* Fills the exec record `e`, whose argv has room for argv_room bytes (VIGIL_ARGV_INLINE or
 * VIGIL_ARGV_CAP, a constant at each call), and decides the scope and a kill in the kernel; the
 * argument list is read up to argv_max bytes. Returns whether the event is to be sent. */
static __always_inline bool fill_exec(u32 version, struct vigil_exec_event* e,
                                      struct linux_binprm* bprm, unsigned long arg_start,
                                      u64 argv_len, u32 argv_room) {
  struct file* file = BPF_CORE_READ(bprm, file);
  u32 off = 0;
  bool truncated = false;
  u32 len = build_path(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
                       e->exe_buf, &off, &truncated);
  e->exe_off = off;
  e->exe_len = len;
  e->flags = truncated ? VIGIL_EXEC_EXE_TRUNCATED : 0;
  e->env_len = 0;
  struct vigil_proc_info state = {};
  refresh_current(version, REFRESH_EXEC, hash_path(e->exe_buf, off), &state);
  struct vigil_policy_config* cfg = bpf_map_lookup_elem(&policy_config, &version);
  u64 matched = state.matched & wanted_by(version, VIGIL_EVT_EXEC);
  if (!matched && !(cfg && cfg->lifecycle_all)) {
    stat_add(VIGIL_STAT_FILTERED);
    return false;
  }

  struct task_struct* t = (struct task_struct*)bpf_get_current_task();
  fill_header(&e->hdr, VIGIL_EVT_EXEC, state.entity, version, matched);
  e->start_ns = task_start_ns(t);
  struct task_struct* parent = BPF_CORE_READ(t, real_parent);
  e->parent_entity = vigil_entity(BPF_CORE_READ(parent, tgid), task_start_ns(parent));
  e->mntns = BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
  e->pidns = task_pidns(t);
  e->cgroup_id = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
  e->euid = BPF_CORE_READ(t, cred, euid.val);
  e->loginuid = bpf_core_field_exists(t->loginuid) ? BPF_CORE_READ(t, loginuid.val) : (u32)-1;
  e->tty[0] = 0;
  e->tty_dev = 0;
  struct tty_struct* tty = BPF_CORE_READ(t, signal, tty);
  if (tty) {
    bpf_probe_read_kernel_str(e->tty, sizeof(e->tty), &tty->name);
    /* tty_devnum(): the driver's major, its first minor plus the tty's index; encoded as
     * new_encode_dev(), which is what /proc/PID/stat's tty_nr holds */
    u32 major = BPF_CORE_READ(tty, driver, major);
    u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
    e->tty_dev = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
  }
  e->vpid = task_vpid(t);
  for (int i = 0; i < 2; i++) {
    e->stdio_mode[i] = 0;
    e->stdio_rdev[i] = 0;
    e->stdio_magic[i] = 0;
  }
  e->exe_mtime_sec = 0;
  e->exe_mtime_nsec = 0;
  stdio_files(e, t);
  exe_mtime(e, file);
  /* The working directory, walked like the executable's path (relative to the process's root
   * mount, so a container's cwd reads as the container sees it). */
  struct path cwd = {};
  struct fs_struct* fs = BPF_CORE_READ(t, fs);
  if (fs) bpf_core_read(&cwd, sizeof(cwd), &fs->pwd);
  bool cwd_truncated = false;
  u32 cwd_off = 0;
  e->cwd_len = 0;
  if (cwd.dentry && cwd.mnt)
    e->cwd_len = build_path(cwd.dentry, cwd.mnt, e->cwd_buf, &cwd_off, &cwd_truncated);
  e->cwd_off = cwd_off;
  if (cwd_truncated) e->flags |= VIGIL_EXEC_CWD_TRUNCATED;

  const char* filename = BPF_CORE_READ(bprm, filename);
  long n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
  e->filename_len = n > 0 ? n - 1 : 0;
  if (n == sizeof(e->filename)) e->flags |= VIGIL_EXEC_FILENAME_TRUNCATED;

  e->argc = BPF_CORE_READ(bprm, argc);
  u64 cap = argv_max < argv_room ? argv_max : argv_room;
  if (argv_len > cap) {
    argv_len = cap;
    e->flags |= VIGIL_EXEC_ARGV_TRUNCATED;
  }
  if (argv_len > argv_room) argv_len = argv_room; /* for the verifier: cap <= argv_room */
  if (bpf_probe_read_user(e->argv, argv_len, (void*)arg_start) < 0) argv_len = 0;
  e->argv_len = argv_len;

  if (env_name_count) scan_env(e, t);

  /* `action kill` that the kernel decides alone: the process dies before it runs a single
   * instruction of the new program. */
  enum exec_kill_outcome killed =
      exec_kill(version, cfg, matched, state.exe_hash, e->filename, e->filename_len,
                !(e->flags & VIGIL_EXEC_FILENAME_TRUNCATED), e->hdr.comm);
  if (killed == EXEC_KILL_SENT) e->hdr.flags |= VIGIL_HDR_KILLED;
  if (killed == EXEC_KILL_PROTECTED) e->hdr.flags |= VIGIL_HDR_KILL_PROTECTED;
  stamp(&e->hdr);
  return true;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct* p, pid_t old_pid, struct linux_binprm* bprm) {
  u32 version = current_version();
  struct task_struct* t = (struct task_struct*)bpf_get_current_task();
  unsigned long arg_start = BPF_CORE_READ(t, mm, arg_start);
  unsigned long arg_end = BPF_CORE_READ(t, mm, arg_end);
  u64 argv_len = arg_end > arg_start ? arg_end - arg_start : 0;

  /* A long argument list: the record is built in scratch space with room for VIGIL_ARGV_CAP
   * bytes, then copied to the main buffer only as long as it is. */
  if (argv_len > VIGIL_ARGV_INLINE && argv_max > VIGIL_ARGV_INLINE) {
    struct vigil_exec_event* e = bpf_ringbuf_reserve(&scratch, sizeof(*e) + VIGIL_ARGV_CAP, 0);
    if (e) {
      if (fill_exec(version, e, bprm, arg_start, argv_len, VIGIL_ARGV_CAP)) {
        u32 used = e->argv_len;
        if (used > VIGIL_ARGV_CAP) used = VIGIL_ARGV_CAP;
        if (bpf_ringbuf_output(&events, e, sizeof(*e) + used, deliver_flags()) < 0) {
          stat_add(VIGIL_STAT_DROP_MAIN);
          if (e->hdr.flags & VIGIL_HDR_KILLED) stat_add(VIGIL_STAT_KILL_UNREPORTED);
        } else {
          wake_reader();
        }
      }
      bpf_ringbuf_discard(e, 0);
      return 0;
    }
    stat_add(VIGIL_STAT_ARGV_SHORTENED); /* kept to VIGIL_ARGV_INLINE bytes below */
  }

  struct vigil_exec_event* e = bpf_ringbuf_reserve(&events, sizeof(*e) + VIGIL_ARGV_INLINE, 0);
  if (!e) {
    stat_add(VIGIL_STAT_DROP_MAIN);
    exec_without_event(version, bprm);
    return 0;
  }
  if (fill_exec(version, e, bprm, arg_start, argv_len, VIGIL_ARGV_INLINE)) {
    bpf_ringbuf_submit(e, deliver_flags());
    wake_reader();
  } else
    bpf_ringbuf_discard(e, 0); /* with a wakeup: a later record behind it would get none */
  return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct* parent, struct task_struct* child) {
  if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid)) return 0; /* a thread */
  u32 version = current_version();
  struct vigil_proc_info parent_state = {};
  struct vigil_proc_info* ppi = current_proc(version, &parent_state);
  struct vigil_policy_config* cfg = bpf_map_lookup_elem(&policy_config, &version);

  /* The child inherits the parent's exe and follow state at once (FIELD-LESSONS 5). */
  struct vigil_proc_info pi = {};
  struct scope_input in = {};
  u32 child_tgid = BPF_CORE_READ(child, tgid);
  pi.start_ns = task_start_ns(child);
  pi.entity = vigil_entity(child_tgid, pi.start_ns);
  pi.exe_hash = ppi ? ppi->exe_hash : 0;
  if (ppi && cfg && cfg->follow) {
    /* The child passes every follow filter its parent passes, by itself or by inheritance. */
    fill_input(parent, &in);
    in.exe_hash = ppi->exe_hash;
    for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) in.inherited[lane] = ppi->followed[lane];
    eval_scope(&in, version);
    for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++)
      pi.followed[lane] = ppi->followed[lane] | in.own_follow[lane];
  }
  fill_input(child, &in);
  in.exe_hash = pi.exe_hash;
  for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) in.inherited[lane] = pi.followed[lane];
  pi.matched = eval_scope(&in, version);
  for (int lane = 0; lane < VIGIL_FOLLOW_LANES; lane++) pi.own_follow[lane] = in.own_follow[lane];
  pi.version = version;
  pi.uid = in.uid;
  pi.gid = in.gid;
  pi.flags = ppi ? VIGIL_PROC_FOLLOW_VALID : 0;
  bpf_map_update_elem(&proc_info, &child_tgid, &pi, BPF_ANY);

  u64 matched = pi.matched & wanted_by(version, VIGIL_EVT_FORK);
  if (!matched && !(cfg && cfg->lifecycle_all)) {
    stat_add(VIGIL_STAT_FILTERED);
    return 0;
  }
  struct vigil_fork_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    stat_add(VIGIL_STAT_DROP_MAIN);
    return 0;
  }
  fill_header(&e->hdr, VIGIL_EVT_FORK, pi.entity, version, matched);
  /* The header describes the child; the parent is the current task. */
  e->hdr.pid = child_tgid;
  e->hdr.tid = BPF_CORE_READ(child, pid);
  e->hdr.ppid = BPF_CORE_READ(parent, tgid);
  e->start_ns = pi.start_ns;
  e->parent_entity = ppi ? ppi->entity : 0;
  stamp(&e->hdr);
  bpf_ringbuf_submit(e, deliver_flags());
  wake_reader();
  return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct* p) {
  /* Only the last thread of a process reports its exit. */
  if (BPF_CORE_READ(p, signal, live.counter) != 0) return 0;
  u32 version = current_version();
  struct vigil_proc_info state = {};
  struct vigil_proc_info* pi = current_proc(version, &state);
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct vigil_policy_config* cfg = bpf_map_lookup_elem(&policy_config, &version);
  u64 matched = pi ? pi->matched & wanted_by(version, VIGIL_EVT_EXIT) : 0;
  u64 entity = pi ? pi->entity : 0;
  u64 start = pi ? pi->start_ns : 0;
  bpf_map_delete_elem(&proc_info, &tgid);
  if (!matched && !(cfg && cfg->lifecycle_all)) {
    stat_add(VIGIL_STAT_FILTERED);
    return 0;
  }
  struct vigil_exit_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    stat_add(VIGIL_STAT_DROP_MAIN);
    return 0;
  }
  fill_header(&e->hdr, VIGIL_EVT_EXIT, entity, version, matched);
  e->start_ns = start;
  e->exit_code = BPF_CORE_READ(p, exit_code);
  e->pad = 0;
  stamp(&e->hdr);
  bpf_ringbuf_submit(e, deliver_flags());
  wake_reader();
  return 0;
}

/* ---- syscalls ------------------------------------------------------------------------------ */

/* Every syscall program is a two-instruction stub that tail-calls one shared entry or exit
 * program: the heavy code (scope check, argument capture) is verified once instead of once per
 * syscall, which keeps loading fast. The shared programs find the syscall from the tracepoint's
 * syscall number (same layout for syscalls:sys_* and raw_syscalls:sys_*). Deciding the filtered
 * case in the stub itself (no tail call) was measured: it saves only about 10 ns per syscall, and
 * a stub with map references breaks the loader e2e test's instruction replacement (docs/kernel.md
 * "Measured cost"). */
#define SYSCALL_ENTER_SLOT 0
#define SYSCALL_EXIT_SLOT 1

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 2);
  __type(key, u32);
  __type(value, u32);
} syscall_progs SEC(".maps");

/* How each syscall's arguments are captured (from VIGIL_SYSCALLS). */
struct syscall_spec {
  s8 type;
  s8 str[3];
  s8 extra_arg;
  u8 extra_len;
  u8 extra_at_exit;
};
#define SPEC_SLOTS 128 /* power of two >= VIGIL_SC_MAX, so that a masked id is a valid index */
_Static_assert(VIGIL_SC_MAX <= SPEC_SLOTS, "syscall table larger than the spec array");
_Static_assert(sizeof(struct vigil_cred_extra) < VIGIL_EXTRA_LEN, "credentials fit extra");
static const struct syscall_spec specs[SPEC_SLOTS] = {
#define VIGIL_X_SPEC(name, type, s0, s1, s2, xa, xl, xexit) \
  [VIGIL_SC_##name] = {type, {s0, s1, s2}, xa, xl, xexit},
    VIGIL_SYSCALLS(VIGIL_X_SPEC)
#undef VIGIL_X_SPEC
};

/* Saved argument i (0..5) of an inflight record; bounded so the verifier accepts the index. */
static __always_inline u64 saved_arg(struct vigil_syscall_event* e, int i) {
  u32 k = (u32)i;
  if (k > 5) return 0;
  barrier_var(k);
  return e->args[k & 7];
}

/* Reads a user string; when its page is not resident yet (BPF cannot fault it in) the slot is
 * marked to be read again at exit, after the syscall itself has touched the memory. */
#define STR_RETRY(slot) (1u << (8 + (slot)))
static __always_inline void read_user_string(char* dst, u32 size, u64 src, u16* len, u16* flags,
                                             int slot) {
  long n = bpf_probe_read_user_str(dst, size, (const void*)src);
  *len = n > 0 ? n - 1 : 0;
  if (n == size) *flags |= VIGIL_STR_TRUNCATED(slot);
  if (n < 0 && src) *flags |= STR_RETRY(slot);
}

/* Copies up to `want` bytes of a user struct into e->extra (at most VIGIL_EXTRA_LEN - 1). */
static __always_inline void read_extra(struct vigil_syscall_event* e, u64 src, u64 want) {
  u32 n = want > VIGIL_EXTRA_LEN - 1 ? VIGIL_EXTRA_LEN - 1 : (u32)want;
  barrier_var(n);
  n &= VIGIL_EXTRA_LEN - 1;
  if (n && bpf_probe_read_user(e->extra, n, (const void*)src) == 0) e->extra_len = n;
}

/* The caller's credentials (before the call: read at entry). kernel_cap_t is one u64 since
 * Linux 6.3 and two u32 before; the raw 8 bytes are the same bits either way. */
static __always_inline void read_cred_info(struct vigil_cred_info* c) {
  struct task_struct* t = bpf_get_current_task_btf();
  const struct cred* cred = t->cred;
  c->uid = BPF_CORE_READ(cred, uid.val);
  c->euid = BPF_CORE_READ(cred, euid.val);
  c->suid = BPF_CORE_READ(cred, suid.val);
  c->fsuid = BPF_CORE_READ(cred, fsuid.val);
  c->gid = BPF_CORE_READ(cred, gid.val);
  c->egid = BPF_CORE_READ(cred, egid.val);
  c->sgid = BPF_CORE_READ(cred, sgid.val);
  c->fsgid = BPF_CORE_READ(cred, fsgid.val);
  bpf_probe_read_kernel(&c->cap_effective, 8, &cred->cap_effective);
  bpf_probe_read_kernel(&c->cap_permitted, 8, &cred->cap_permitted);
  bpf_probe_read_kernel(&c->cap_inheritable, 8, &cred->cap_inheritable);
}

#define CLONE_NEW_ANY \
  (0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000)
#define CLONE_NEWTIME 0x80 /* unshare and clone3 only: clone's low byte is the exit signal */
#define F_DUPFD 0
#define F_DUPFD_CLOEXEC 1030
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_SET_PATH 3
#define FSCONFIG_SET_PATH_EMPTY 4
#define S_IFMT_ 00170000
#define S_IFSOCK_ 0140000
#define AF_INET6 10
#define AF_UNIX 1

/* Whether a call of a selected type is one the type reports, decided at entry from its
 * arguments: namespace creation needs a CLONE_NEW* flag, a dup must target 0, 1 or 2 (dup and
 * fcntl's lowest free descriptor is checked at exit), bpf reports the commands that create or
 * attach something. Calls ruled out count as filtered. */
static __always_inline bool call_reported(u32 id, struct trace_event_raw_sys_enter* ctx) {
  u64 a0 = ctx->args[0], a1 = ctx->args[1];
  switch (id) {
    case VIGIL_SC_clone:
      return a0 & CLONE_NEW_ANY;
    case VIGIL_SC_unshare:
      return a0 & (CLONE_NEW_ANY | CLONE_NEWTIME);
    case VIGIL_SC_clone3: {
      u64 flags = 0;
      if (bpf_probe_read_user(&flags, sizeof(flags), (const void*)a0)) return true; /* unknown */
      return flags & (CLONE_NEW_ANY | CLONE_NEWTIME);
    }
    case VIGIL_SC_dup2:
    case VIGIL_SC_dup3:
      return (u32)a1 <= 2;
    case VIGIL_SC_fcntl:
      return (a1 == F_DUPFD || a1 == F_DUPFD_CLOEXEC) && ctx->args[2] <= 2;
    case VIGIL_SC_bpf:
      /* MAP_CREATE, PROG_LOAD, PROG_ATTACH, PROG_DETACH, RAW_TRACEPOINT_OPEN, BTF_LOAD,
       * LINK_CREATE */
      return a0 == 0 || a0 == 5 || a0 == 8 || a0 == 9 || a0 == 17 || a0 == 18 || a0 == 28;
    default:
      return true;
  }
}

/* The socket behind descriptor fd of the current process, or NULL. */
static __always_inline struct socket* fd_socket(u64 fd) {
  struct task_struct* t = bpf_get_current_task_btf();
  struct fdtable* fdt = BPF_CORE_READ(t, files, fdt);
  if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds)) return NULL;
  struct file** fds = BPF_CORE_READ(fdt, fd);
  struct file* f = NULL;
  if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xffffff]) || !f) return NULL;
  u16 mode = BPF_CORE_READ(f, f_inode, i_mode);
  if ((mode & S_IFMT_) != S_IFSOCK_) return NULL;
  return BPF_CORE_READ(f, private_data);
}

/* Writes the socket's peer (or local) address as a struct sockaddr at e->extra + off and
 * returns its length (0 when the socket is NULL). Unix sockets give their family alone. */
static __always_inline u32 write_sock_addr(struct vigil_syscall_event* e, u32 off,
                                           struct socket* sock, bool peer) {
  if (!sock) return 0;
  struct sock* sk = BPF_CORE_READ(sock, sk);
  if (!sk) return 0;
  u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
  off &= 64; /* 0 or VIGIL_ACCEPT_LOCAL_OFF: room for a sockaddr_in6 either way */
  if (family == AF_INET) {
    struct sockaddr_in* a = (struct sockaddr_in*)(e->extra + off);
    a->sin_family = AF_INET;
    a->sin_port = peer ? BPF_CORE_READ(sk, __sk_common.skc_dport)
                       : bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
    a->sin_addr.s_addr = peer ? BPF_CORE_READ(sk, __sk_common.skc_daddr)
                              : BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
    return sizeof(*a);
  }
  if (family == AF_INET6) {
    struct sockaddr_in6* a = (struct sockaddr_in6*)(e->extra + off);
    a->sin6_family = AF_INET6;
    a->sin6_port = peer ? BPF_CORE_READ(sk, __sk_common.skc_dport)
                        : bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
    a->sin6_flowinfo = 0;
    a->sin6_scope_id = 0;
    if (peer)
      BPF_CORE_READ_INTO(&a->sin6_addr, sk, __sk_common.skc_v6_daddr);
    else
      BPF_CORE_READ_INTO(&a->sin6_addr, sk, __sk_common.skc_v6_rcv_saddr);
    return sizeof(*a);
  }
  *(u16*)(e->extra + off) = family;
  if (family == AF_UNIX && peer && off == 0) {
    /* the peer's bound address (struct sockaddr_un), when it has one (a socketpair's has none) */
    struct sock* other = BPF_CORE_READ((struct unix_sock*)sk, peer);
    struct unix_address* ua = other ? BPF_CORE_READ((struct unix_sock*)other, addr) : NULL;
    int len = ua ? BPF_CORE_READ(ua, len) : 0;
    if (len > (int)sizeof(u16)) {
      u32 n = len > 110 ? 110 : (u32)len;
      barrier_var(n);
      n &= 127;
      if (bpf_probe_read_kernel(e->extra, n, &ua->name) == 0) return n;
    }
  }
  return sizeof(u16);
}

/* Type-specific capture at entry, into e->extra (bpf/events.h says what each type keeps). */
static __always_inline void capture_entry(struct vigil_syscall_event* e, u32 id, u32 type) {
  if (type == VIGIL_EVT_DUP || type == VIGIL_EVT_LISTEN) {
    e->extra_len = write_sock_addr(e, 0, fd_socket(e->args[0]), type == VIGIL_EVT_DUP);
    return;
  }
  if (type == VIGIL_EVT_ACCEPT) {
    write_sock_addr(e, VIGIL_ACCEPT_LOCAL_OFF, fd_socket(e->args[0]), false);
    return;
  }
  if (type == VIGIL_EVT_XATTR) {
    u64 value = 0, size = 0;
    if (id == VIGIL_SC_setxattr || id == VIGIL_SC_lsetxattr || id == VIGIL_SC_fsetxattr) {
      value = e->args[2];
      size = e->args[3];
    } else if (id == VIGIL_SC_setxattrat) {
      struct {
        u64 value;
        u32 size;
        u32 flags;
      } xa = {};
      if (bpf_probe_read_user(&xa, sizeof(xa), (const void*)e->args[4]) == 0) {
        value = xa.value;
        size = xa.size;
        e->args[5] = size; /* the value size takes the place of usize, as the other calls */
      } else {
        e->args[5] = ~0ULL; /* unknown */
      }
    }
    if (value && size) {
      u32 n = size > VIGIL_XATTR_VALUE_LEN ? VIGIL_XATTR_VALUE_LEN : (u32)size;
      if (bpf_probe_read_user(e->extra, n & 31, (const void*)value) == 0) e->extra_len = n;
    }
    return;
  }
  if (type == VIGIL_EVT_SETUID || type == VIGIL_EVT_SETGID || type == VIGIL_EVT_CAPSET) {
    struct vigil_cred_extra* x = (struct vigil_cred_extra*)e->extra;
    read_cred_info(&x->before);
    e->extra_len = sizeof(x->before);
    if (type == VIGIL_EVT_CAPSET) {
      struct vigil_capset_request* r = &x->request;
      if (bpf_probe_read_user(r, 8, (const void*)e->args[0]) == 0) r->read |= VIGIL_CAPSET_HEADER;
      if (bpf_probe_read_user(r->data, 12, (const void*)e->args[1]) == 0)
        r->read |= VIGIL_CAPSET_LOW;
      if (bpf_probe_read_user(&r->data[3], 12, (const void*)(e->args[1] + 12)) == 0)
        r->read |= VIGIL_CAPSET_HIGH;
      e->extra_len = sizeof(*x);
    }
  }
}

static __always_inline u32 syscall_id_of(u32 nr) {
  u32* id = bpf_map_lookup_elem(&syscall_ids, &nr);
  return id ? *id : 0;
}

/* Whether the process has spent its event budget for the current window: one process looping on a
 * selected syscall would otherwise fill the ring buffer and cost every other process its events.
 * The count is per process (all its threads; races between them only let a few more through).
 * An event over the budget is counted (stat and the throttled map), never silently lost. The
 * state lives in the proc_info entry; `pi` is a copy when the map could not keep it, and then the
 * window restarts each time, so such a process is never throttled. */
static __always_inline bool over_budget(struct vigil_proc_info* pi) {
  if (!proc_budget) return false;
  u64 now = bpf_ktime_get_ns();
  if (now - pi->budget_start_ns >= proc_budget_window_ns) {
    pi->budget_start_ns = now;
    pi->budget_used = 1;
    return false;
  }
  if (pi->budget_used < proc_budget) {
    pi->budget_used++;
    return false;
  }
  stat_add(VIGIL_STAT_THROTTLED);
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct vigil_throttled* t = bpf_map_lookup_elem(&throttled, &tgid);
  if (t) {
    __sync_fetch_and_add(&t->events, 1);
  } else {
    struct vigil_throttled first = {.events = 1, .entity = pi->entity};
    bpf_map_update_elem(&throttled, &tgid, &first, BPF_NOEXIST);
  }
  return true;
}

/* ---- argument prefilter (bpf/events.h; the same decision as kernel/prefilter_decision.cpp) ----
 */

#define O_WRONLY_ 01
#define O_CREAT_ 0100
#define O_TRUNC_ 01000

/* The open flags of an open-family call; false when they cannot be known at entry. */
static __always_inline bool open_flags(u32 id, struct trace_event_raw_sys_enter* ctx, u64* flags) {
  switch (id) {
    case VIGIL_SC_open:
      *flags = ctx->args[1];
      return true;
    case VIGIL_SC_openat:
      *flags = ctx->args[2];
      return true;
    case VIGIL_SC_creat:
      *flags = O_WRONLY_ | O_CREAT_ | O_TRUNC_;
      return true;
    case VIGIL_SC_openat2: /* struct open_how starts with the u64 flags */
      return bpf_probe_read_user(flags, sizeof(*flags), (const void*)ctx->args[2]) == 0;
    default:
      return false;
  }
}

/* vigil_path_hash of path[off, off + len), len <= VIGIL_PF_SUFFIX_MAX, off < VIGIL_PF_BUF. */
static __always_inline u64 hash_span(const char* path, u32 off, u32 len) {
  u64 h = VIGIL_PATH_HASH_SEED;
  for (u32 i = 0; i < VIGIL_PF_SUFFIX_MAX / 8; i++) {
    u32 done = i * 8;
    if (done >= len) break;
    u32 at = (off & (VIGIL_PF_BUF - 1)) + done;
    barrier_var(at);
    at &= 511;
    if (at > VIGIL_PF_BUF + VIGIL_PF_SUFFIX_MAX - 8) break; /* for the verifier: never taken */
    /* byte loads: the path is on the stack, where the verifier wants an 8-byte load aligned */
    u64 word = 0;
    for (u32 b = 0; b < 8; b++) word |= (u64)(u8)path[at + b] << (8 * b);
    u32 rest = len - done;
    if (rest < 8) word &= (1ULL << (rest * 8)) - 1;
    h = vigil_path_hash_step(h, word);
  }
  return vigil_path_hash_finish(h, len);
}

/* The trie gate (bpf/events.h): whether `path` (len bytes, on the stack at a 4-byte boundary)
 * may start with an exact path or prefix of pf_prefix. */
static __always_inline bool pf_gate_opens(const struct vigil_pf_config* cfg, const char* path,
                                          u32 len) {
  if (!cfg->gate) return true;
  /* 4-byte loads: an 8-byte one is misaligned here (the path follows three u32s) */
  u64 lo = *(const u32*)path;
  if (len >= 8) {
    u64 head = lo | ((u64) * (const u32*)(path + 4) << 32);
    u32 bit = vigil_pf_head_bit(head);
    if (cfg->head8[(bit >> 6) & (VIGIL_PF_HEAD_WORDS - 1)] & (1ULL << (bit & 63))) return true;
  }
  if (len >= 4) {
    u32 bit = vigil_pf_head_bit(lo);
    if (cfg->head4[(bit >> 6) & (VIGIL_PF_HEAD_WORDS - 1)] & (1ULL << (bit & 63))) return true;
  }
  return false;
}

/* Whether an event of `type` may match a rule, judged from its arguments alone. `key` is the
 * caller's stack: a per-CPU scratch buffer could be overwritten by another task's call when the
 * program is preempted between the read and the lookups (FIELD-LESSONS 4), and a wrong answer
 * here loses an event without a trace. */
static __always_inline bool prefilter_keeps(u32 version, u32 type, u32 id,
                                            struct trace_event_raw_sys_enter* ctx, u64 path_addr,
                                            struct vigil_pf_scratch* key) {
  u32 slot = (version % VIGIL_VERSION_SLOTS) * VIGIL_EVT_MAX + type;
  struct vigil_pf_config* cfg = bpf_map_lookup_elem(&pf_config, &slot);
  if (!cfg || cfg->version != version || !cfg->active) return true;
  if (cfg->flag_mask) {
    u64 flags = 0;
    if (!open_flags(id, ctx, &flags) || (flags & cfg->flag_mask)) return true;
  }
  if (!cfg->paths) return false;
  if (!path_addr) return true; /* no path argument: nothing to judge */
  long n = bpf_probe_read_user_str(key->path, VIGIL_PF_BUF, (const void*)path_addr);
  if (n <= 0 || n >= VIGIL_PF_BUF) return true; /* not resident yet, or too long: kept */
  u32 len = (u32)n - 1;
  if (pf_gate_opens(cfg, key->path, len)) {
    key->prefixlen = 64 + 8 * VIGIL_PF_PATH_LEN;
    key->version = version;
    key->type = type;
    if (bpf_map_lookup_elem(&pf_prefix, key)) return true;
  }
  if (len == 0) return false;
  u8 last = (u8)key->path[(len - 1) & (VIGIL_PF_BUF - 1)];
  if (!(cfg->suffix_last[(last >> 6) & 3] & (1ULL << (last & 63)))) return false;
  struct vigil_pf_suffix_key sk = {.version = version, .type = type};
  for (int i = 0; i < VIGIL_PF_SUFFIX_LENS; i++) {
    u32 l = cfg->suffix_lens[i];
    if (l == 0 || l > VIGIL_PF_SUFFIX_MAX) break;
    if (l > len) continue;
    sk.hash = hash_span(key->path, len - l, l);
    if (bpf_map_lookup_elem(&pf_suffix, &sk)) return true;
  }
  return false;
}

/* The thread's inflight bit (maps.h, inflight_tids): its word, or null beyond the array. */
static __always_inline u64* inflight_word(u32 tid) {
  u32 word = tid >> 6;
  return bpf_map_lookup_elem(&inflight_tids, &word);
}

/* The thread's record is sent or abandoned: delete it and clear its bit. */
static __always_inline void inflight_done(u32 tid) {
  bpf_map_delete_elem(&inflight, &tid);
  u64* w = inflight_word(tid);
  if (w) __sync_fetch_and_and(w, ~(1ULL << (tid & 63)));
}

/* Entry: scope check, then the arguments are captured into the thread's inflight record. */
SEC("tp")
int syscall_enter(struct trace_event_raw_sys_enter* ctx) {
  u32 id = syscall_id_of((u32)ctx->id);
  if (id == 0 || id >= VIGIL_SC_MAX) return 0;
  barrier_var(id);
  const struct syscall_spec* spec = &specs[id & (SPEC_SLOTS - 1)];
  u32 type = spec->type;
  u32 version = current_version();
  u64 wanted = wanted_by(version, type);
  if (!wanted) { /* no policy selects the type: the process state does not matter */
    stat_add(VIGIL_STAT_FILTERED);
    return 0;
  }
  struct vigil_proc_info state = {};
  struct vigil_proc_info* pi = current_proc(version, &state);
  u64 matched = pi->matched & wanted;
  if (!matched) {
    stat_add(VIGIL_STAT_FILTERED);
    return 0;
  }
  if (!call_reported(id, ctx)) {
    stat_add(VIGIL_STAT_FILTERED);
    return 0;
  }
  /* the argument prefilter ran before the tail call (enter_stub, fallback_enter) */
  if (over_budget(pi)) return 0;
  u32 tid = (u32)bpf_get_current_pid_tgid();
  if (bpf_map_update_elem(&inflight, &tid, &zero_syscall_event, BPF_ANY)) {
    stat_add(VIGIL_STAT_INFLIGHT_FULL);
    return 0;
  }
  struct vigil_syscall_event* e = bpf_map_lookup_elem(&inflight, &tid);
  if (!e) {
    stat_add(VIGIL_STAT_INFLIGHT_FULL);
    return 0;
  }
  u64* bit_word = inflight_word(tid);
  if (bit_word) __sync_fetch_and_or(bit_word, 1ULL << (tid & 63));
  fill_header(&e->hdr, type, pi->entity, version, matched);
  e->syscall = id;
  e->args[0] = ctx->args[0];
  e->args[1] = ctx->args[1];
  e->args[2] = ctx->args[2];
  e->args[3] = ctx->args[3];
  e->args[4] = ctx->args[4];
  e->args[5] = ctx->args[5];
  /* fsconfig's value is a string only for these commands (else a blob, an fd or nothing) */
  bool str0 = spec->str[0] >= 0 &&
              (id != VIGIL_SC_fsconfig || ctx->args[1] == FSCONFIG_SET_STRING ||
               ctx->args[1] == FSCONFIG_SET_PATH || ctx->args[1] == FSCONFIG_SET_PATH_EMPTY);
  if (str0)
    read_user_string(e->str0, sizeof(e->str0), saved_arg(e, spec->str[0]), &e->str_len[0],
                     &e->str_flags, 0);
  if (spec->str[1] >= 0)
    read_user_string(e->str1, sizeof(e->str1), saved_arg(e, spec->str[1]), &e->str_len[1],
                     &e->str_flags, 1);
  if (spec->str[2] >= 0)
    read_user_string(e->str2, sizeof(e->str2), saved_arg(e, spec->str[2]), &e->str_len[2],
                     &e->str_flags, 2);
  if (id == VIGIL_SC_prctl && ctx->args[0] == PR_SET_NAME)
    read_user_string(e->str0, VIGIL_COMM_LEN, ctx->args[1], &e->str_len[0], &e->str_flags, 0);
  if (spec->extra_arg >= 0 && !spec->extra_at_exit) {
    /* connect/bind pass the address length as the next argument */
    u64 want =
        (type == VIGIL_EVT_CONNECT || type == VIGIL_EVT_BIND) ? ctx->args[2] : spec->extra_len;
    /* bpf's attr may be shorter than what is read of it */
    if (id == VIGIL_SC_bpf && ctx->args[2] < want) want = ctx->args[2];
    read_extra(e, saved_arg(e, spec->extra_arg), want);
  }
  capture_entry(e, id, type);
  return 0;
}

/* Wakeups are batched: a syscall record is submitted without waking the reader (no irq_work,
 * no wakeup in the monitored process's syscall) until wakeup_bytes are waiting; while records
 * flow the reader also reads every buffer each PollOptions::poll_timeout_ms (30 ms by default),
 * which bounds the delay of a record that never triggers a wakeup, and an idle reader is woken by
 * wake_reader. Lifecycle records (exec, fork, exit) are batched the same way: one wakeup each cost
 * the agent more than its handling of them in an exec storm, and an adaptive wakeup would not come
 * anyway behind a batched record still waiting. */
static __always_inline u64 deliver_flags(void) {
  if (!wakeup_bytes) return 0; /* the kernel's adaptive wakeup (`wakeup_bytes` 0: not batched) */
  return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
                                                                       : BPF_RB_NO_WAKEUP;
}

/* Called after every submit to the main ring (bpf_ringbuf_submit or bpf_ringbuf_output with
 * deliver_flags). An idle reader sleeps with a long timeout (RingReader::kIdlePollTimeoutMs) after
 * setting reader_asleep; the first record after that must wake it. The record is already
 * committed here: the flag is read after the commit's xchg on the record's header (a full
 * barrier), which itself follows the reservation's store of producer_pos. The reader stores the
 * flag (seq_cst) and then reads producer_pos of every ring: Dekker's pattern, so either this
 * program sees the flag or the reader sees the record, for both submit paths (the flags
 * deliver_flags computed before the record was reserved play no part). The wakeup is a reserved
 * and discarded record with BPF_RB_FORCE_WAKEUP: the reader skips it, and it wakes the reader
 * for what is in front of it. If even those 8 bytes cannot be reserved the ring is full, and the
 * reader reads it at its next timeout (counted as a late record). The plain load first keeps the
 * flag's cache line shared between CPUs while records flow. */
static __always_inline void wake_reader(void) {
  if (!reader_asleep) return;
  if (!__sync_fetch_and_and(&reader_asleep, 0)) return; /* another CPU woke it */
  u64* w = bpf_ringbuf_reserve(&events, sizeof(u64), 0);
  if (w) bpf_ringbuf_discard(w, BPF_RB_FORCE_WAKEUP);
}

static __always_inline u32 syscall_event_size(struct vigil_syscall_event* e) {
  u32 size;
  if (e->str_len[1])
    size = offsetof(struct vigil_syscall_event, str1) + (e->str_len[1] & (VIGIL_PATH_MAX - 1)) + 1;
  else if (e->str_len[0])
    size = offsetof(struct vigil_syscall_event, str0) + (e->str_len[0] & (VIGIL_PATH_MAX - 1)) + 1;
  else
    size = offsetof(struct vigil_syscall_event, str0);
  if (size > sizeof(*e)) size = sizeof(*e);
  return size;
}

/* Exit: adds the return value (and accept's peer address) and sends the record. */
SEC("tp")
int syscall_exit(struct trace_event_raw_sys_exit* ctx) {
  u32 tid = (u32)bpf_get_current_pid_tgid();
  struct vigil_syscall_event* e = bpf_map_lookup_elem(&inflight, &tid);
  if (!e) {
    inflight_done(tid); /* a bit left set: the record was evicted */
    return 0;
  }
  u32 id = syscall_id_of((u32)ctx->id);
  if (id == 0 || id >= VIGIL_SC_MAX || e->syscall != id) {
    /* stale record of a syscall whose exit we never saw */
    inflight_done(tid);
    return 0;
  }
  long ret = ctx->ret;
  e->retval = ret;
  if ((id == VIGIL_SC_dup || id == VIGIL_SC_fcntl) && ret > 2) {
    /* the lowest free descriptor was not a standard stream */
    inflight_done(tid);
    stat_add(VIGIL_STAT_FILTERED);
    return 0;
  }
  barrier_var(id);
  const struct syscall_spec* spec = &specs[id & (SPEC_SLOTS - 1)];
  const u16 retry = e->str_flags & (STR_RETRY(0) | STR_RETRY(1) | STR_RETRY(2));
  e->str_flags &= ~retry;
  if (retry & STR_RETRY(0)) {
    u64 src = id == VIGIL_SC_prctl ? e->args[1] : saved_arg(e, spec->str[0]);
    read_user_string(e->str0, id == VIGIL_SC_prctl ? VIGIL_COMM_LEN : sizeof(e->str0), src,
                     &e->str_len[0], &e->str_flags, 0);
  }
  if (retry & STR_RETRY(1))
    read_user_string(e->str1, sizeof(e->str1), saved_arg(e, spec->str[1]), &e->str_len[1],
                     &e->str_flags, 1);
  if (retry & STR_RETRY(2))
    read_user_string(e->str2, sizeof(e->str2), saved_arg(e, spec->str[2]), &e->str_len[2],
                     &e->str_flags, 2);
  /* Still unreadable: flagged, so an empty string is never taken for the value. */
  for (int slot = 0; slot < 3; slot++)
    if (e->str_flags & STR_RETRY(slot))
      e->str_flags = (e->str_flags & ~STR_RETRY(slot)) | VIGIL_STR_UNREADABLE(slot);
  if (spec->extra_at_exit && spec->extra_arg >= 0 && ret >= 0) {
    u64 addr = saved_arg(e, spec->extra_arg);
    u64 lenp = saved_arg(e, spec->extra_arg + 1);
    int addrlen = 0;
    if (addr && lenp && bpf_probe_read_user(&addrlen, sizeof(addrlen), (const void*)lenp) == 0 &&
        addrlen > 0)
      read_extra(e, addr, addrlen > VIGIL_ACCEPT_PEER_LEN ? VIGIL_ACCEPT_PEER_LEN : (u64)addrlen);
  }
  stamp(&e->hdr);
  if (bpf_ringbuf_output(&events, e, syscall_event_size(e), deliver_flags()))
    stat_add(VIGIL_STAT_DROP_MAIN);
  else
    wake_reader();
  inflight_done(tid);
  return 0;
}

/* The slot is hidden from the compiler on purpose: with a constant key the JIT patches a direct
 * jump into the stub and the kernel tracks the stub in the map ("poke" descriptors); the verifier
 * sees through compiler barriers, so the slot comes from a writable global. On this
 * kernel a stub that was loaded with such a descriptor but never attached keeps the prog_array
 * alive after a SIGKILL of vigil (e2e.agent.cleanup reproduces it); an indirect tail call has no
 * descriptor and leaves nothing behind. */
__u32 tail_call_slot_base = 0; /* always 0; writable, so the verifier cannot know it */
static __always_inline void tail_call_slot(void* ctx, u32 slot) {
  bpf_tail_call(ctx, &syscall_progs, tail_call_slot_base + slot);
}

/* The argument prefilter, before the tail call (the kept event pays the tail call, the dropped
 * one does not). A path is read onto this program's stack; `id` is a constant in every stub, so
 * the stub of a syscall without a path argument has no code to read one. */
static __always_inline bool stub_prefilter_drops(struct trace_event_raw_sys_enter* ctx, u32 id,
                                                 u32 version) {
  const struct syscall_spec* spec = &specs[id & (SPEC_SLOTS - 1)];
  /* a constant index: the stub reads no argument its tracepoint lacks (attaching checks that) */
  u64 path_addr = 0;
  switch (spec->str[0]) {
    case 0:
      path_addr = ctx->args[0];
      break;
    case 1:
      path_addr = ctx->args[1];
      break;
    case 2:
      path_addr = ctx->args[2];
      break;
    case 3:
      path_addr = ctx->args[3];
      break;
  }
  struct vigil_pf_scratch key;
  if (prefilter_keeps(version, spec->type, id, ctx, path_addr, &key)) return false;
  stat_add(VIGIL_STAT_PREFILTERED);
  return true;
}

/* Entry of syscall `id`: the common cases are decided here, without the tail call: a process
 * whose cached scope decision (scope_cache, else proc_info; current for this version and its
 * uid/gid) rules the event out, and an event the argument prefilter drops (judged before the
 * scope when no cached decision is current: the prefilter does not depend on it). Anything else
 * goes to syscall_enter. */
static __always_inline int enter_stub(void* ctx, u32 id) {
  u32 type = specs[id & (SPEC_SLOTS - 1)].type;
  u32 version = current_version();
  u64 wanted = wanted_by(version, type);
  if (wanted) {
    struct task_struct* task = bpf_get_current_task_btf();
    const struct cred* cred = task->cred;
    /* the process's cached decision first (a task storage read, no hash lookup) */
    struct vigil_scope_cache* c = bpf_task_storage_get(&scope_cache, task->group_leader, 0, 0);
    u64 matched;
    if (c && c->version == version && c->uid == cred->uid.val && c->gid == cred->gid.val) {
      matched = c->matched;
    } else {
      u32 tgid = task->tgid;
      struct vigil_proc_info* pi = bpf_map_lookup_elem(&proc_info, &tgid);
      if (!pi || pi->version != version || pi->uid != cred->uid.val || pi->gid != cred->gid.val)
        matched = wanted; /* missing or stale: syscall_enter decides */
      else {
        matched = pi->matched;
        scope_cache_store(pi); /* current: the next call reads it from the cache */
      }
    }
    if (matched & wanted) {
      if (stub_prefilter_drops((struct trace_event_raw_sys_enter*)ctx, id, version)) return 0;
      tail_call_slot(ctx, SYSCALL_ENTER_SLOT);
      return 0;
    }
  }
  stat_add(VIGIL_STAT_FILTERED);
  return 0;
}

/* Exit: a thread with no record in flight had its entry filtered out (the common case for a
 * selected syscall); its clear bit says so without the tail call or a hash lookup. */
static __always_inline int exit_stub(void* ctx) {
  u32 tid = bpf_get_current_task_btf()->pid;
  u64* w = inflight_word(tid);
  if (w ? !(*w & (1ULL << (tid & 63))) : !bpf_map_lookup_elem(&inflight, &tid)) return 0;
  tail_call_slot(ctx, SYSCALL_EXIT_SLOT);
  return 0;
}

#define VIGIL_X_PROGRAMS(name, ...)          \
  SEC("tp/syscalls/sys_enter_" #name)        \
  int enter_##name(void* ctx) {              \
    return enter_stub(ctx, VIGIL_SC_##name); \
  }                                          \
  SEC("tp/syscalls/sys_exit_" #name)         \
  int exit_##name(void* ctx) {               \
    return exit_stub(ctx);                   \
  }
VIGIL_SYSCALLS(VIGIL_X_PROGRAMS)

/* ---- raw_syscalls fallback ------------------------------------------------------------------
 * For selected syscalls whose per-syscall tracepoint this kernel lacks. Runs on every syscall of
 * the host (that is its cost) and forwards only the numbers in fallback_syscalls. */
SEC("tp/raw_syscalls/sys_enter")
int fallback_enter(struct trace_event_raw_sys_enter* ctx) {
  stat_add(VIGIL_STAT_FALLBACK_CALLS);
  u32 nr = ctx->id;
  if (!bpf_map_lookup_elem(&fallback_syscalls, &nr)) return 0;
  u32 id = syscall_id_of(nr);
  if (id == 0 || id >= VIGIL_SC_MAX) return 0;
  barrier_var(id);
  const struct syscall_spec* spec = &specs[id & (SPEC_SLOTS - 1)];
  u32 version = current_version();
  if (wanted_by(version, spec->type)) {
    /* copied out first: the verifier refuses a variable index into the context */
    u64 args[6] = {ctx->args[0], ctx->args[1], ctx->args[2],
                   ctx->args[3], ctx->args[4], ctx->args[5]};
    u32 arg = (u32)spec->str[0];
    barrier_var(arg);
    u64 path_addr = arg < 6 ? args[arg] : 0;
    struct vigil_pf_scratch key;
    if (!prefilter_keeps(version, spec->type, id, ctx, path_addr, &key)) {
      stat_add(VIGIL_STAT_PREFILTERED);
      return 0;
    }
  }
  tail_call_slot(ctx, SYSCALL_ENTER_SLOT);
  return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int fallback_exit(struct trace_event_raw_sys_exit* ctx) {
  u32 nr = ctx->id;
  if (!bpf_map_lookup_elem(&fallback_syscalls, &nr)) return 0;
  tail_call_slot(ctx, SYSCALL_EXIT_SLOT);
  return 0;
}

/* ---- network (softirq context: own ring buffer, built in place, no shared scratch) ---------- */

SEC("tp/sock/inet_sock_set_state")
int handle_tcp_state(struct trace_event_raw_inet_sock_set_state* ctx) {
  if (ctx->protocol != IPPROTO_TCP) return 0;
  u32 version = current_version();
  struct vigil_policy_config* cfg = bpf_map_lookup_elem(&policy_config, &version);
  if (!cfg) return 0;
  /* The current task is not the socket's owner in softirq context, so only policies without a
   * process scope can select these events (docs/kernel.md). */
  u64 matched = wanted_by(version, VIGIL_EVT_TCP_STATE) & cfg->unscoped;
  if (!matched) return 0;
  struct vigil_net_event* e = bpf_ringbuf_reserve(&net_events, sizeof(*e), 0);
  if (!e) {
    stat_add(VIGIL_STAT_DROP_NET);
    return 0;
  }
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct vigil_proc_info* pi = bpf_map_lookup_elem(&proc_info, &tgid);
  fill_header(&e->hdr, VIGIL_EVT_TCP_STATE, pi ? pi->entity : 0, version, matched);
  e->sock = (u64)ctx->skaddr;
  e->oldstate = ctx->oldstate;
  e->newstate = ctx->newstate;
  e->sport = ctx->sport;
  e->dport = ctx->dport;
  e->family = ctx->family;
  e->protocol = ctx->protocol;
  /* word loads at fixed context offsets (a memcpy would index the context pointer) */
  u32* src = (u32*)e->saddr;
  u32* dst = (u32*)e->daddr;
  if (ctx->family == AF_INET) {
    src[0] = *(u32*)ctx->saddr;
    dst[0] = *(u32*)ctx->daddr;
    src[1] = src[2] = src[3] = 0;
    dst[1] = dst[2] = dst[3] = 0;
  } else {
    src[0] = *(u32*)&ctx->saddr_v6[0];
    src[1] = *(u32*)&ctx->saddr_v6[4];
    src[2] = *(u32*)&ctx->saddr_v6[8];
    src[3] = *(u32*)&ctx->saddr_v6[12];
    dst[0] = *(u32*)&ctx->daddr_v6[0];
    dst[1] = *(u32*)&ctx->daddr_v6[4];
    dst[2] = *(u32*)&ctx->daddr_v6[8];
    dst[3] = *(u32*)&ctx->daddr_v6[12];
  }
  stamp(&e->hdr);
  bpf_ringbuf_submit(e, 0);
  return 0;
}
