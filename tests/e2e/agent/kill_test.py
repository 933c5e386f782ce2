#!/usr/bin/env python3
"""`action kill`, both ways. One kill policy holds two rules on exec of test binaries:
- `exec.filename == VICTIM`, which the kernel decides alone: the kernel sends SIGKILL at exec,
  so the victim dies before its first line (it writes a marker at once) and the alert says
  killed_by kernel;
- `exec.filename startswith PREFIX`, which only user space can decide: the agent kills the
  process after the match, before its 0.5 s sleep ends, and the alert says killed_by user.
A binary neither rule names runs to the end (its marker appears)."""
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
rule exec_of_slow_victim {{
  desc "the e2e slow victim ran"
  severity critical
  tags [e2e]
  on exec
  when exec.filename startswith "{slow_prefix}"
  output "killing {{proc.cmdline}}"
}}
test exec_of_slow_victim {{ alert exec {{ exec.filename: "{slow_prefix}1" }} quiet exec {{ exec.filename: "/bin/true" }} }}
policy e2e_kill {{ rules [tag:e2e] action kill }}
"""

# Writes its marker at once: only a kill at exec (in the kernel) prevents it.
EAGER = """#!/bin/sh
echo started > "$1"
"""
# Writes its marker after 0.5 s: a kill from user space after the match prevents it.
SLOW = """#!/bin/sh
sleep 0.5
echo done > "$1"
"""


def write_script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def wait_alerts(agent, n):
    deadline = time.time() + 10
    while time.time() < deadline and len(agent.alerts()) < n:
        time.sleep(0.1)
    return agent.alerts()


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    ctx = harness.Agent(vigil, "")
    victim = os.path.join(ctx.dir, "vigil-e2e-victim")
    slow_prefix = os.path.join(ctx.dir, "vigil-e2e-slow-")
    slow_victim = slow_prefix + "victim"
    bystander = os.path.join(ctx.dir, "vigil-e2e-bystander")
    write_script(victim, EAGER)
    write_script(slow_victim, SLOW)
    write_script(bystander, EAGER)
    ctx.write_policy(POLICY.format(victim=victim, slow_prefix=slow_prefix))
    failures = []
    with ctx as agent:
        runs = {}
        for name, path in (("victim", victim), ("slow victim", slow_victim),
                           ("bystander", bystander)):
            marker = os.path.join(agent.dir, name.replace(" ", "-") + ".marker")
            runs[name] = (subprocess.run([path, marker]).returncode, marker)
        time.sleep(0.7)
        for name in ("victim", "slow victim"):
            code, marker = runs[name]
            if os.path.exists(marker):
                failures.append(f"the {name} wrote its marker: it was not killed in time")
            if code != -9:
                failures.append(f"the {name} exited with {code}, not SIGKILL (-9)")
        code, marker = runs["bystander"]
        if code != 0 or not os.path.exists(marker):
            failures.append(f"the bystander did not finish ({code}): a kill hit the wrong process")
        alerts = wait_alerts(agent, 2)
        by_rule = {a["rule"]: a for a in alerts}
        expected = {"exec_of_victim": "kernel", "exec_of_slow_victim": "user"}
        if len(alerts) != 2 or set(by_rule) != set(expected):
            failures.append(f"expected one alert per victim, got {alerts}")
        for rule, how in expected.items():
            a = by_rule.get(rule, {})
            if a.get("action") != "kill" or a.get("killed_by") != how:
                failures.append(f"{rule}: expected action kill, killed_by {how}; got "
                                f"action {a.get('action')}, killed_by {a.get('killed_by')}")
        status = agent.status()
        print(f"exit codes: { {n: r[0] for n, r in runs.items()} }; alerts: "
              f"{[(a['rule'], a.get('killed_by')) for a in alerts]}; {status.get('stats', '')[:80]}")
        # Once the agent has exited, its policy kills nothing more: the programs stay attached
        # for a second or two (vigil-detach holds them while the kernel detaches), but the
        # agent switched the kernel to a version with no policy before it handed them over.
        agent.stop()
        marker = os.path.join(agent.dir, "after-stop.marker")
        code = subprocess.run([victim, marker]).returncode
        if code != 0 or not os.path.exists(marker):
            failures.append(f"the victim, run right after the agent exited, exited with {code}: "
                            "the kernel still killed at exec")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
