#!/usr/bin/env python3
"""One agent per control socket (issue 13, item 18). A second `vigil run` on the same control
socket refuses to start, names the pid of the running agent and loads nothing; after the first
agent is killed with SIGKILL (its lock file stays behind), a new agent starts normally."""
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    ctx, target = harness.agent_with_target(vigil)
    ctx.write_policy(harness.exec_policy(target))
    failures = []
    with ctx as first:
        second = subprocess.run(
            [vigil, "run", "--policy", first.policy, "--output", "file:" + first.alerts_path,
             "--control-socket", first.socket], capture_output=True, text=True, timeout=60)
        if second.returncode != 1:
            failures.append(f"the second agent exited {second.returncode}, expected 1")
        if f"pid {first.proc.pid}" not in second.stderr:
            failures.append(f"the refusal does not name pid {first.proc.pid}: {second.stderr}")
        if "attached" in second.stderr:
            failures.append("the second agent loaded its programs before refusing")
        if first.status().get("ok") is not True:
            failures.append("the first agent's control socket no longer answers")
        # A crash leaves the lock file (and the socket file); neither may block the next start.
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait()
        if not os.path.exists(first.socket + ".lock"):
            failures.append("no lock file next to the control socket")
        third = harness.Agent(vigil, "", policy_paths=[first.policy])
        third.socket = first.socket
        with third:
            subprocess.run([target, "x"], check=True)
            if len(third.wait_alerts(1)) != 1:
                failures.append("the agent started after the crash does not alert")
            if third.status().get("ok") is not True:
                failures.append("the agent started after the crash has no control socket")
        print(f"second agent: rc {second.returncode}: {second.stderr.strip().splitlines()[-1:]}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
