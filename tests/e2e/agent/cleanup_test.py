#!/usr/bin/env python3
"""After `kill -9` of the agent nothing of it remains in the kernel: no vigil BPF program, map or
link is left (vigil pins nothing), checked with bpftool before and after."""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

POLICY = """
rule any_exec { desc "d" severity low tags [e2e] on exec when proc.name == "vigil-e2e-none" }
test any_exec { alert exec { proc.name: "vigil-e2e-none" } quiet exec { proc.name: "x" } }
policy e2e { rules [tag:e2e] }
"""


def vigil_objects():
    """Names of BPF programs and maps that belong to vigil (names start with vigil_ or are
    the skeleton's)."""
    progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                                      text=True, check=True).stdout or "[]")
    maps = json.loads(subprocess.run(["bpftool", "-j", "map", "show"], capture_output=True,
                                     text=True, check=True).stdout or "[]")
    return ({p["id"] for p in progs}, {m["id"] for m in maps})


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    before_progs, before_maps = vigil_objects()
    with harness.Agent(vigil, POLICY) as agent:
        during_progs, during_maps = vigil_objects()
        new_progs = during_progs - before_progs
        if not new_progs:
            print("FAIL: no BPF program appeared while the agent ran")
            sys.exit(1)
        os.kill(agent.proc.pid, signal.SIGKILL)
        agent.proc.wait()
    # The kernel frees programs and maps once the last reference (the process's fds) is gone;
    # links and programs go first, maps may take an RCU grace period.
    deadline = time.time() + 10
    while time.time() < deadline:
        after_progs, after_maps = vigil_objects()
        left_progs = new_progs & after_progs
        left_maps = (during_maps - before_maps) & after_maps
        if not left_progs and not left_maps:
            break
        time.sleep(0.2)
    print(f"agent had {len(new_progs)} programs and {len(during_maps - before_maps)} maps; "
          f"left after kill -9: {len(left_progs)} programs, {len(left_maps)} maps")
    pinned = subprocess.run(["sh", "-c", "ls /sys/fs/bpf 2>/dev/null | grep -i vigil"],
                            capture_output=True, text=True).stdout.strip()
    if left_progs or left_maps or pinned:
        print("FAIL: vigil left objects in the kernel", left_progs, left_maps, pinned)
        sys.exit(1)
    print("ok")
