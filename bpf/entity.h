/* Process identity and path hashing shared, as the only implementation, by the BPF programs and
 * by user space. Plain integer arithmetic so that both compilers produce the same bits.
 *
 * entity = hash(tgid, start time in procfs clock ticks). The start time is the process's
 * CLOCK_BOOTTIME start (task->start_boottime) truncated to USER_HZ ticks, which is exactly what
 * /proc/PID/stat reports in field 22, so a process seen by BPF and one read from procfs get the
 * same id bit for bit. */
#ifndef VIGIL_BPF_ENTITY_H
#define VIGIL_BPF_ENTITY_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VIGIL_USER_HZ 100ULL
#define VIGIL_NSEC_PER_TICK (1000000000ULL / VIGIL_USER_HZ)

static inline __u64 vigil_mix64(__u64 x) {
  /* splitmix64 finaliser */
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

static inline __u64 vigil_ns_to_ticks(__u64 start_ns) {
  return start_ns / VIGIL_NSEC_PER_TICK;
}

static inline __u64 vigil_entity_from_ticks(__u32 tgid, __u64 start_ticks) {
  return vigil_mix64(vigil_mix64((__u64)tgid + 0x9e3779b97f4a7c15ULL) ^ start_ticks);
}

static inline __u64 vigil_entity(__u32 tgid, __u64 start_boottime_ns) {
  return vigil_entity_from_ticks(tgid, vigil_ns_to_ticks(start_boottime_ns));
}

/* Hash of an absolute path, the key of binary scope filters. The path's bytes are taken 8 at a
 * time as little-endian words (the last one zero-padded), so that BPF needs one loop iteration per
 * 8 bytes; the length is mixed in at the end. */
#define VIGIL_PATH_HASH_SEED 0xcbf29ce484222325ULL

static inline __u64 vigil_path_hash_step(__u64 h, __u64 word) {
  return vigil_mix64(h ^ word);
}

static inline __u64 vigil_path_hash_finish(__u64 h, __u64 len) {
  return vigil_mix64(h ^ len);
}

/* Hash of an environment variable's name (its bytes before '='), by which the kernel selects
 * the variables an exec reports: one step per byte, the length mixed in at the end. */
#define VIGIL_ENV_HASH_SEED 0xcbf29ce484222325ULL

static inline __u64 vigil_env_hash_step(__u64 h, __u8 c) {
  return (h ^ c) * 0x100000001b3ULL;
}

static inline __u64 vigil_env_hash_finish(__u64 h, __u64 len) {
  return vigil_mix64(h ^ len);
}

#endif /* VIGIL_BPF_ENTITY_H */
