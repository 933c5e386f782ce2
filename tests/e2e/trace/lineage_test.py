#!/usr/bin/env python3
"""Lineage in `vigil trace` (process tree): a chain bash -> sh -> sleep shows the right parent
and ancestors, and a shell started before vigil (known only from /proc seeding) is the parent,
with its real pid and name, of what it starts afterwards."""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "agent"))
import harness  # noqa: E402

M = (1 << 64) - 1


def mix64(x):
    x ^= x >> 30
    x = (x * 0xbf58476d1ce4e5b9) & M
    x ^= x >> 27
    x = (x * 0x94d049bb133111eb) & M
    return x ^ (x >> 31)


def entity_from_proc(pid):
    """bpf/entity.h over /proc/PID/stat (tgid, start time in USER_HZ ticks), as vigil computes it."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    ticks = int(fields[19])  # field 22 of the whole line
    return mix64(mix64((pid + 0x9e3779b97f4a7c15) & M) ^ ticks)


if __name__ == "__main__":
    vigil = os.path.abspath(sys.argv[1])
    harness.require_root_and_bpf()
    failures = []
    # Started before vigil: it waits for a go file, then starts a child.
    go = f"/tmp/vigil-e2e-lineage-go-{os.getpid()}"
    early = subprocess.Popen(["bash", "-c", f"while [ ! -e {go} ]; do sleep 0.05; done; "
                              "sleep 0.21; true"])
    time.sleep(0.3)
    early_entity = entity_from_proc(early.pid)
    trace = subprocess.Popen([vigil, "trace", "--events", "exec"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:  # wait for "ready" on stderr
            line = trace.stderr.readline()
            if "ready" in line or not line:
                break
        subprocess.run(["bash", "-c", "sh -c 'sleep 0.22'; true"], check=True)
        open(go, "w").close()
        early.wait(timeout=10)
        time.sleep(0.5)
    finally:
        trace.send_signal(signal.SIGINT)
        out, _ = trace.communicate(timeout=30)
        early.kill()
        if os.path.exists(go):
            os.remove(go)
    events = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    chain = [e for e in events if e["proc"].get("args", [])[:2] == ["sleep", "0.22"]]
    if not chain:
        failures.append("no exec of the chained sleep")
    else:
        p = chain[0]["proc"]
        names = p.get("ancestors", {}).get("name", [])
        if names[:2] != ["sh", "bash"]:
            failures.append(f"ancestors of sleep are {names[:4]}, want sh, bash, ...")
        if p.get("parent", {}).get("name") != "sh":
            failures.append(f"parent of sleep is {p.get('parent')}, want sh")
    seeded = [e for e in events if e["proc"].get("args", [])[:2] == ["sleep", "0.21"]]
    if not seeded:
        failures.append("no exec of the early shell's child")
    else:
        parent = seeded[0]["proc"].get("parent", {})
        if parent.get("pid") != early.pid or parent.get("name") != "bash":
            failures.append(f"parent of the early shell's child is {parent}, want bash pid {early.pid}")
        kernel_parent = seeded[0]["kernel"]["parent_entity"]
        if kernel_parent != early_entity:
            failures.append(f"the kernel's parent entity {kernel_parent:016x} differs from /proc's "
                            f"{early_entity:016x} for the process started before vigil")
    print(f"{len(events)} exec events; chain ancestors "
          f"{chain[0]['proc'].get('ancestors', {}).get('name', [])[:3] if chain else None}; "
          f"early parent {seeded[0]['proc'].get('parent') if seeded else None}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
