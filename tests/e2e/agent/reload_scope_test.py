#!/usr/bin/env python3
"""A reload that brings a live process into a policy's scope is obeyed at its next syscall. The
kernel caches each process's scope decision (proc_info, and the entry stubs' scope_cache on the
group leader's task): a process that has been filtered out under one policy version must not stay
filtered by a cached decision of that version. A long-lived process (a copy of python3 named
vigil-e2e-live) opens a marker file while the policy's scope names another program (no alert),
the policy is rewritten to scope that process in, and after the reload its next open alerts."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

def policy(marker, comm):
    return harness.open_of_marker_rule(marker) + f"policy e2e {{ scope comm in [{comm}] rules [tag:e2e] }}\n"


# The live process: opens the marker once per line read on stdin, answers "ok".
CHILD = """
import sys
for line in sys.stdin:
    with open(sys.argv[1], "a"):
        pass
    print("ok", flush=True)
"""


def wait_version(agent, old, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        version = agent.status().get("version")
        if version and version != old:
            return version
        time.sleep(0.1)
    return old


def run(vigil, marker, live, failures):
    with harness.Agent(vigil, policy(marker, "vigil-e2e-other")) as agent:
        v1 = agent.status().get("version")
        child = subprocess.Popen([live, "-c", CHILD, marker], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
        try:
            # Out of scope: several opens, so the decision is cached, and no alert.
            for _ in range(5):
                child.stdin.write("open\n")
                child.stdin.flush()
                child.stdout.readline()
            time.sleep(0.5)
            if agent.alerts():
                failures.append(f"alerts while out of scope: {agent.alerts()}")
            agent.write_policy(policy(marker, "vigil-e2e-live"))
            v2 = wait_version(agent, v1)
            if v2 == v1:
                failures.append(f"the reload did not happen (version {v1}); log:\n"
                                f"{agent.log_text()[-2000:]}")
            child.stdin.write("open\n")
            child.stdin.flush()
            child.stdout.readline()
            deadline = time.time() + 10
            while time.time() < deadline and not agent.alerts():
                time.sleep(0.1)
            opens = [a for a in agent.alerts() if a.get("rule") == "open_of_marker"]
            if len(opens) != 1:
                failures.append(f"expected one open_of_marker alert after the reload, got "
                                f"{agent.alerts()}")
            elif opens[0].get("policy_version") != v2:
                failures.append(f"the alert names version {opens[0].get('policy_version')}, "
                                f"the active one is {v2}")
            print(f"versions {v1} -> {v2}; alerts {len(opens)}")
        finally:
            child.stdin.close()
            child.kill()
            child.wait()


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    scratch = tempfile.mkdtemp(prefix="vigil-e2e-reload-scope-")
    marker = os.path.join(scratch, "vigil-e2e-marker")
    live = os.path.join(scratch, "vigil-e2e-live")
    shutil.copy(sys.executable, live)
    try:
        run(vigil, marker, live, failures)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        for f in failures:
            print("FAIL:", f)
        sys.exit(1)
