// SPDX-License-Identifier: GPL-2.0
/* Empty programs used only by bench/overhead as cost floors: on raw_syscalls (a program on every
 * syscall), on the same per-syscall tracepoints vigil attaches for the `open` event type, and on
 * every tracepoint the default policy selects (the cost of the tracepoint mechanism alone,
 * without vigil's program). The bench attaches each set on its own (autoattach is off). */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp/raw_syscalls/sys_enter")
int empty_enter(void* ctx) {
  return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int empty_exit(void* ctx) {
  return 0;
}

#define EMPTY_PAIR(name)              \
  SEC("tp/syscalls/sys_enter_" #name) \
  int empty_enter_##name(void* ctx) { \
    return 0;                         \
  }                                   \
  SEC("tp/syscalls/sys_exit_" #name)  \
  int empty_exit_##name(void* ctx) {  \
    return 0;                         \
  }

/* Attached by the bench to every syscall tracepoint a policy selects (one program, many links):
 * the per-syscall floor of the default policy. */
SEC("tp")
int empty_tp(void* ctx) {
  return 0;
}

EMPTY_PAIR(open)
EMPTY_PAIR(openat)
EMPTY_PAIR(openat2)
EMPTY_PAIR(creat)

/* One empty program attached by name to any syscall tracepoint (bench_type_cost: the floor of an
 * event type is this program on each of the type's sys_enter/sys_exit tracepoints). */
SEC("tp")
int empty_any(void* ctx) {
  return 0;
}
