#!/usr/bin/env python3
"""A policy file written in place is never loaded half-written (issue 13, item 20). The file
holds a kill policy on exec of a target; it is rewritten in place (same inode) in two parts with
a 1.5 s pause, the writer holding it open. The first part alone lints clean (rules, no policy)
and would drop the kill. During the pause the old version must stay active (the target is still
killed, no reload happened); after the writer closes the file, the whole new version is loaded
once. A rewrite that fails lint keeps the running version, with the reason logged."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

POLICY = "policy e2e { rules [tag:e2e] action kill }\n"


def killed(target):
    return subprocess.run([target]).returncode == -9


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    ctx, target = harness.agent_with_target(vigil)
    ctx.write_policy(harness.exec_rule(target, "A", severity="high", field="exec.filename") + POLICY)
    failures = []
    with ctx as agent:
        if not killed(target):
            failures.append("version 1 does not kill the target")
        with open(agent.policy, "r+") as f:  # in place: same inode, truncated, two writes
            f.truncate(0)
            f.write(harness.exec_rule(target, "B", severity="high", field="exec.filename"))
            f.flush()
            time.sleep(1.5)
            status = agent.status()
            if status["version"] != 1 or "active (file change)" in agent.log_text():
                failures.append(f"the half-written file was loaded: version {status['version']}")
            if not killed(target):
                failures.append("during the write the kill policy was dropped")
            f.write(POLICY)
        agent.wait_for_log("active (file change)", timeout=10)
        status = agent.status()
        if status["version"] != 2 or status["reloads"] != {"ok": 2, "failed": 0}:
            failures.append(f"after the write: version {status['version']}, reloads "
                            f"{status['reloads']} (expected version 2, one reload)")
        if [p["action"] for p in status["policies"]] != ["kill"] or not killed(target):
            failures.append(f"the new version does not kill: {status['policies']}")
        # A rewrite that does not lint keeps version 2, and says why.
        with open(agent.policy, "w") as f:
            f.write("rule broken { on exec when proc.nmae == 1 }\n")
        agent.wait_for_log("failed; version 2 stays active", timeout=10)
        if "proc.nmae" not in agent.log_text() or not killed(target):
            failures.append("a failed reload did not keep version 2 with its reason")
        alerts = agent.wait_alerts(4)
        labels = [a["output"].split()[0] for a in alerts]
        if labels != ["A", "A", "B", "B"]:
            failures.append(f"alert labels {labels}, expected A A B B")
        print(f"labels {labels}; final status version {agent.status()['version']}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
