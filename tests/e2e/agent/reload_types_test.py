#!/usr/bin/env python3
"""A reload can start tracing an event type no policy selected at start: the agent starts on an
exec-only policy (no syscall program attached), the policy file is rewritten to alert on opens of
a marker file, and after the reload an open of that file raises the alert under the new version.
Opens before the reload raise nothing, and the agent stays the same process."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

EXEC_ONLY = """
rule exec_of_nothing { desc "d" severity low tags [e2e] on exec when proc.name == "vigil-e2e-none" }
test exec_of_nothing { alert exec { proc.name: "vigil-e2e-none" } quiet exec { proc.name: "x" } }
policy e2e { rules [tag:e2e] }
"""



def touch_open(path):
    with open(path, "a"):
        pass


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    with harness.Agent(vigil, EXEC_ONLY) as agent:
        marker = os.path.join(agent.dir, "vigil-e2e-marker")
        pid = agent.proc.pid
        before = agent.status()
        touch_open(marker)
        time.sleep(0.5)
        if agent.alerts():
            failures.append(f"alerts before the reload: {agent.alerts()}")

        agent.write_policy(harness.open_of_marker_rule(marker) + "policy e2e { rules [tag:e2e] }\n")
        deadline = time.time() + 20
        version = None
        while time.time() < deadline:
            st = agent.status()
            version = st.get("version")
            if version and version != before.get("version"):
                break
            time.sleep(0.1)
        log = agent.log_text()
        if version == before.get("version"):
            failures.append(f"the reload did not happen (version {version}); log:\n{log[-2000:]}")
        touch_open(marker)
        deadline = time.time() + 10
        while time.time() < deadline and not agent.alerts():
            time.sleep(0.1)
        alerts = agent.alerts()
        opens = [a for a in alerts if a.get("rule") == "open_of_marker"]
        if len(opens) != 1:
            failures.append(f"expected one open_of_marker alert after the reload, got {alerts}")
        elif opens[0].get("policy_version") != version:
            failures.append(f"the alert names version {opens[0].get('policy_version')}, "
                            f"the active one is {version}")
        if agent.proc.poll() is not None or agent.proc.pid != pid:
            failures.append("the agent restarted or exited")
        print(f"versions {before.get('version')} -> {version}; alerts {len(alerts)}")
    if failures:
        for f in failures:
            print("FAIL:", f)
        sys.exit(1)
    print("ok")
