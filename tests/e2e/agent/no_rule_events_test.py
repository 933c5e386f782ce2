#!/usr/bin/env python3
"""Events of a type no loaded rule is on are neither enriched nor evaluated (agent.cpp,
NoRuleIsOn; docs/agent.md, "Read interval" and after). With only an exec rule loaded, runs of the
target raise their exec alerts, with the process's lineage, while their fork and exit events are
counted as `events.no_rule` in `vigil status`. After a reload adds a rule on exit, the next run
raises an exit alert too: a type is judged again as soon as a rule is on it."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

EXIT_RULE = """
rule exit_of_target {{
  desc "the e2e target exited"
  severity low
  tags [e2e]
  on exit
  when proc.exe == "{target}"
  output "exit of {{proc.exe}}"
}}
"""
POLICY = "policy e2e { rules [tag:e2e] }\n"


def no_rule(agent):
    return agent.status()["counters"]["events"]["no_rule"]


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    ctx, target = harness.agent_with_target(vigil)
    ctx.write_policy(harness.exec_rule(target) + POLICY)
    with ctx as agent:
        before = no_rule(agent)
        for _ in range(3):
            subprocess.run([target, "run"], check=True)
        alerts = agent.wait_alerts(3)
        time.sleep(0.5)  # the exits are read within the 30 ms read interval
        after = no_rule(agent)
        execs = [a for a in alerts if a.get("rule") == "exec_of_target"]
        if len(execs) != 3:
            failures.append(f"expected 3 exec alerts, got {alerts}")
        for a in execs:
            if not a.get("event", {}).get("proc", {}).get("parent", {}).get("name"):
                failures.append(f"an exec alert lacks the parent's name: {a}")
        # Each run forks this process (a fork event) and exits (an exit event); the host may add
        # more.
        if after - before < 6:
            failures.append(f"events.no_rule rose by {after - before}, expected at least 6")

        version = agent.status().get("version")
        agent.write_policy(harness.exec_rule(target) + EXIT_RULE.format(target=target) + POLICY)
        deadline = time.time() + 20
        while time.time() < deadline and agent.status().get("version") == version:
            time.sleep(0.1)
        if agent.status().get("version") == version:
            failures.append("the reload did not happen")
        subprocess.run([target, "again"], check=True)
        deadline = time.time() + 10
        while time.time() < deadline and \
                not any(a.get("rule") == "exit_of_target" for a in agent.alerts()):
            time.sleep(0.1)
        exits = [a for a in agent.alerts() if a.get("rule") == "exit_of_target"]
        if len(exits) != 1:
            failures.append(f"expected one exit alert after the reload, got {agent.alerts()}")
        elif exits[0].get("event", {}).get("proc", {}).get("exe") != target:
            failures.append(f"the exit alert lacks the process's executable: {exits[0]}")
        print(f"no_rule events {before} -> {after}; exec alerts {len(execs)}, "
              f"exit alerts {len(exits)}")
    if failures:
        for f in failures:
            print("FAIL:", f)
        sys.exit(1)
    print("ok")
