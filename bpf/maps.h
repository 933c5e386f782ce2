/* Maps of the vigil sensors. Sizes marked "set by user space" are resized by engine/kernel before
 * load; the values here are the defaults the skeleton carries. Layouts of keys and values live in
 * bpf/events.h. */
#ifndef VIGIL_BPF_MAPS_H
#define VIGIL_BPF_MAPS_H

#include "events.h"

/* Main ring buffer: lifecycle and syscall events. Size set by user space. */
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 8 << 20);
} events SEC(".maps");

/* Network ring buffer: softirq-context events only (FIELD-LESSONS 4). */
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 20);
} net_events SEC(".maps");

/* Scratch space: path buffers for hashing (exe paths, a lost exec's kill decision) and exec
 * records with a long argument list, which are copied to `events` as long as they are.
 * Reservations are always discarded, never submitted; user space reads the buffer with the main
 * one (a ring buffer's space is freed only when its consumer passes it, discarded or not).
 * Unlike a per-CPU array it is safe when a program is preempted (FIELD-LESSONS 4). */
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 20);
} scratch SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, VIGIL_STAT_MAX);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");

/* Single slot: the active policy version (the hot-reload switch). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} active_version SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, struct vigil_policy_config);
} policy_config SEC(".maps");

/* Which policies want each event type, per version (vigil_event_policies in bpf/events.h). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, VIGIL_VERSION_SLOTS* VIGIL_EVT_MAX);
  __type(key, __u32);
  __type(value, struct vigil_event_policies);
} event_policies SEC(".maps");

/* The argument prefilter (bpf/events.h): per (version slot, type) config, the exact and prefix
 * paths (LPM trie), the suffixes (hashes), and per-CPU room to read a path into a trie key. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, VIGIL_VERSION_SLOTS* VIGIL_EVT_MAX);
  __type(key, __u32);
  __type(value, struct vigil_pf_config);
} pf_config SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, VIGIL_PF_ENTRIES);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct vigil_pf_prefix_key);
  __type(value, __u8);
} pf_prefix SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIGIL_PF_ENTRIES);
  __type(key, struct vigil_pf_suffix_key);
  __type(value, __u8);
} pf_suffix SEC(".maps");

/* A pf_prefix key followed by room for the rest of a VIGIL_PF_BUF-byte path and for the word
 * reads of the suffix hash past its end. It lives on the stack of the program that judges the
 * path (never in a per-CPU map: FIELD-LESSONS 4). */
struct vigil_pf_scratch {
  __u32 prefixlen;
  __u32 version;
  __u32 type;
  char path[VIGIL_PF_BUF + VIGIL_PF_SUFFIX_MAX + 8];
};

#define VIGIL_NUM_SCOPE_MAP(name)      \
  struct {                             \
    __uint(type, BPF_MAP_TYPE_HASH);   \
    __uint(max_entries, 4096);         \
    __type(key, struct vigil_num_key); \
    __type(value, __u64);              \
  } name SEC(".maps")

VIGIL_NUM_SCOPE_MAP(scope_uid);
VIGIL_NUM_SCOPE_MAP(scope_gid);
VIGIL_NUM_SCOPE_MAP(scope_pid);
VIGIL_NUM_SCOPE_MAP(scope_mntns);
VIGIL_NUM_SCOPE_MAP(scope_pidns);
VIGIL_NUM_SCOPE_MAP(scope_cgroup);

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, struct vigil_comm_key);
  __type(value, __u64);
} scope_comm SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct vigil_uts_key);
  __type(value, __u64);
} scope_uts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, struct vigil_binary_key);
  __type(value, __u64);
} scope_binary SEC(".maps");

/* `action kill` decided at exec: (version, what, hash of the string) -> policies. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, struct vigil_kill_key);
  __type(value, __u64);
} kill_exec SEC(".maps");

/* Processes `action kill` never kills at exec (vigil_protect_key -> 1), written once at load. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct vigil_protect_key);
  __type(value, __u8);
} kill_protected SEC(".maps");

/* Per-process state keyed by tgid. Size set by user space from the host (FIELD-LESSONS 3). */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 32768);
  __type(key, __u32);
  __type(value, struct vigil_proc_info);
} proc_info SEC(".maps");

/* The scope decision of each process, attached to its group leader's task (struct
 * vigil_scope_cache): the entry stubs' fast path. Freed with the task; no size to choose. */
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct vigil_scope_cache);
} scope_cache SEC(".maps");

/* Syscall records between entry and exit, keyed by tid: each thread owns its slot, so no two
 * programs ever share a scratch buffer. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 4096);
  __type(key, __u32);
  __type(value, struct vigil_syscall_event);
} inflight SEC(".maps");

/* One bit per thread id: set while the thread has a record in `inflight`. The exit of a selected
 * syscall tests its bit (an array load) instead of looking the hash map up: most exits belong to
 * calls whose entry was filtered out. A bit left set (the record evicted, the thread gone) costs
 * one lookup at that tid's next exit, which clears it. Sized by user space from pid_max; a tid
 * beyond the array is looked up in the map. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, VIGIL_INFLIGHT_TID_WORDS);
  __type(key, __u32);
  __type(value, __u64);
} inflight_tids SEC(".maps");

/* Syscall number -> enum vigil_syscall_id for every syscall vigil traces (0: not traced). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, VIGIL_SYSCALL_NR_MAX);
  __type(key, __u32);
  __type(value, __u32);
} syscall_ids SEC(".maps");

/* Syscall numbers the raw_syscalls fallback forwards (no per-syscall tracepoint for them). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u32);
} fallback_syscalls SEC(".maps");

/* Processes over their event budget, for the agent's loss report (vigil_throttled). An LRU: more
 * throttled processes than it holds between two reads lose their names, never their count (the
 * throttled stat counts every event). */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 4096);
  __type(key, __u32);
  __type(value, struct vigil_throttled);
} throttled SEC(".maps");

#endif /* VIGIL_BPF_MAPS_H */
