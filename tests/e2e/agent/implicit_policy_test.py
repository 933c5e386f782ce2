#!/usr/bin/env python3
"""Rules without a policy run under the implicit policy `all-rules` (issue 13, item 22): `vigil
status` lists it (marked implicit, with its rules), alerts name it, and stopping the agent
prints no reload failure."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    ctx, target = harness.agent_with_target(vigil)
    ctx.write_policy(harness.exec_rule(target))  # no policy
    failures = []
    with ctx as agent:
        status = agent.status()
        policies = status.get("policies", [])
        if [(p.get("name"), p.get("implicit"), p.get("rules")) for p in policies] != \
                [("all-rules", True, ["exec_of_target"])]:
            failures.append(f"status policies: {policies}")
        text = subprocess.run([vigil, "status", "--control-socket", agent.socket],
                              capture_output=True, text=True, timeout=30).stdout
        if "policy all-rules (implicit" not in text:
            failures.append(f"`vigil status` does not list the implicit policy:\n{text}")
        subprocess.run([target], check=True)
        alerts = agent.wait_alerts(1)
        if [a.get("policy") for a in alerts] != ["all-rules"]:
            failures.append(f"alerts: {alerts}")
        agent.stop()
        log = agent.log_text()
        tail = log.split("stopping")[-1]
        if "stays active" in tail or "reload (" in tail:
            failures.append("a reload failure is printed at stop:\n" + log[-1500:])
        if "final stats" not in log:
            failures.append("no final stats")
        print(text.splitlines()[:2])
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
