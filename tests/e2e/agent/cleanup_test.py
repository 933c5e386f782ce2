#!/usr/bin/env python3
"""After `kill -9` of the agent nothing of it remains in the kernel: no BPF program, map or link
it created is left, and nothing is pinned (vigil pins nothing). Checked with bpftool before and
after, three times: killed while idle, killed while a syscall storm runs through its programs
(tail calls in flight), and killed while it is still loading its programs (twice). The policy selects exec and open,
and the agent loads the programs of every event type, so the syscall programs and their
tail-call map (syscall_progs) are part of what must disappear."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

POLICY = """
rule any_exec { desc "d" severity low tags [e2e] on exec when proc.name == "vigil-e2e-none" }
test any_exec { alert exec { proc.name: "vigil-e2e-none" } quiet exec { proc.name: "x" } }
rule any_open { desc "d" severity low tags [e2e] on open when file.path == "/vigil-e2e-none" }
test any_open { alert open { file.path: "/vigil-e2e-none" } quiet open { file.path: "/x" } }
policy e2e { rules [tag:e2e] }
"""


def owned_by(pid):
    """Ids of the BPF programs, maps and links process `pid` holds, from its fds' fdinfo (exact
    even while other processes load BPF objects)."""
    progs, maps, links = set(), set(), set()
    fd_dir = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fd_dir):
        try:
            with open(os.path.join(fd_dir, fd)) as f:
                info = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
        except OSError:
            continue
        if "link_id" in info:
            links.add(int(info["link_id"]))
        elif "prog_id" in info:
            progs.add(int(info["prog_id"]))
        elif "map_id" in info:
            maps.add(int(info["map_id"]))
    return progs, maps, links


def bpf_objects():
    """Ids (and names) of every BPF program, map and link the kernel has."""
    def ids(kind):
        out = subprocess.run(["bpftool", "-j", kind, "show"], capture_output=True, text=True,
                             check=True).stdout
        return {o["id"]: o.get("name", "") for o in json.loads(out or "[]")}
    return ids("prog"), ids("map"), ids("link")


def wait_gone(new, timeout=30):
    """The kernel frees programs, links and maps once the last reference is gone; map freeing
    is deferred (RCU, work queues) and can take seconds. Returns what is still there."""
    deadline = time.time() + timeout
    while True:
        now = bpf_objects()
        left = [{i: n for i, n in kind.items() if i in cur} for kind, cur in zip(new, now)]
        if not any(left) or time.time() > deadline:
            return left
        time.sleep(0.25)


def storm(stop):
    while not stop.is_set():
        for _ in range(200):
            with open("/etc/hostname"):
                pass


def round_trip(vigil, how):
    agent = harness.Agent(vigil, POLICY)
    try:
        if how.startswith("while loading"):
            want = 1 if how.endswith("first program") else 40
            agent.log = open(agent.log_path, "w")
            agent.proc = subprocess.Popen(
                [agent.vigil, "run", "--policy", agent.policy, "--output",
                 "file:" + agent.alerts_path, "--control-socket", agent.socket],
                stdout=subprocess.DEVNULL, stderr=agent.log)
            # Kill once it holds maps and some, not all, programs: mid-load.
            deadline = time.time() + 30
            while time.time() < deadline:
                owned = owned_by(agent.proc.pid)
                if owned[1] and len(owned[0]) >= want:
                    break
                time.sleep(0.002)
            agent.proc.send_signal(signal.SIGKILL)
            agent.proc.wait()
        else:
            agent.__enter__()
            owned = owned_by(agent.proc.pid)
            names = bpf_objects()[1]
            if "syscall_progs" not in {names.get(i) for i in owned[1]}:
                return [f"{how}: the agent has no syscall_progs map loaded"]
            stop = threading.Event()
            workers = []
            if how == "under a syscall storm":
                workers = [threading.Thread(target=storm, args=(stop,)) for _ in range(2)]
                for w in workers:
                    w.start()
                time.sleep(1)
            owned = owned_by(agent.proc.pid)
            os.kill(agent.proc.pid, signal.SIGKILL)
            agent.proc.wait()
            stop.set()
            for w in workers:
                w.join()
        names = bpf_objects()
        new = [{i: kind_names.get(i, "?") for i in ids} for ids, kind_names in zip(owned, names)]
        t0 = time.time()
        left = wait_gone(new)
        print(f"{how}: the agent had {len(new[0])} programs, {len(new[1])} maps, "
              f"{len(new[2])} links; gone after {time.time() - t0:.1f} s; left: {left}")
        pinned = subprocess.run(["sh", "-c", "ls -R /sys/fs/bpf 2>/dev/null | grep -i vigil"],
                                capture_output=True, text=True).stdout.strip()
        problems = []
        if any(left):
            problems.append(f"{how}: left in the kernel after kill -9: {left}")
        if pinned:
            problems.append(f"{how}: pinned: {pinned}")
        return problems
    finally:
        agent.stop()
        agent.__exit__(None, None, None)


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    for how in ("idle", "under a syscall storm", "while loading, first program",
                "while loading, 40 programs"):
        failures += round_trip(vigil, how)
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
