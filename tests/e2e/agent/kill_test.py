#!/usr/bin/env python3
"""`action kill`: under a kill policy for exec of a test binary, the binary dies before it can
write its marker file, the alert says kill, and a binary the policy does not name runs to the
end (its marker appears)."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

POLICY = """
rule exec_of_victim {{
  desc "the e2e victim ran"
  severity critical
  tags [e2e]
  on exec
  when exec.filename == "{victim}"
  output "killing {{proc.cmdline}}"
}}
test exec_of_victim {{ alert exec {{ exec.filename: "{victim}" }} quiet exec {{ exec.filename: "/bin/true" }} }}
policy e2e_kill {{ rules [tag:e2e] action kill }}
"""

SCRIPT = """#!/bin/sh
sleep 0.5
echo done > "$1"
"""

if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    ctx = harness.Agent(vigil, "")
    victim = os.path.join(ctx.dir, "vigil-e2e-victim")
    bystander = os.path.join(ctx.dir, "vigil-e2e-bystander")
    for path in (victim, bystander):
        with open(path, "w") as f:
            f.write(SCRIPT)
        os.chmod(path, 0o755)
    ctx.write_policy(POLICY.format(victim=victim))
    failures = []
    with ctx as agent:
        marker = os.path.join(agent.dir, "victim.marker")
        other_marker = os.path.join(agent.dir, "bystander.marker")
        victim_run = subprocess.run([victim, marker])
        subprocess.run([bystander, other_marker], check=True)
        time.sleep(0.5)
        if os.path.exists(marker):
            failures.append("the victim wrote its marker: it was not killed in time")
        if victim_run.returncode != -9:
            failures.append(f"the victim exited with {victim_run.returncode}, not SIGKILL (-9)")
        if not os.path.exists(other_marker):
            failures.append("the bystander did not finish: the kill hit the wrong process")
        deadline = time.time() + 10
        while time.time() < deadline and not agent.alerts():
            time.sleep(0.1)
        alerts = agent.alerts()
        if len(alerts) != 1 or alerts[0]["action"] != "kill":
            failures.append(f"expected one alert with action kill, got {alerts}")
        print(f"victim exit {victim_run.returncode}; marker written: {os.path.exists(marker)}; "
              f"alerts: {len(alerts)}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
