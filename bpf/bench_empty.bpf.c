// SPDX-License-Identifier: GPL-2.0
/* Empty raw_syscalls programs, used only by bench/overhead as the cost floor of running any BPF
 * program on every syscall. */
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
