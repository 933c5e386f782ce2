#!/usr/bin/env python3
"""Hot reload loses no events (issue: `vigil run`). The agent alerts on every exec of a test
binary; a loop execs it 2,000 times while the policy file is rewritten 20 times, cycling through
two valid versions and one invalid one. Every exec must yield exactly one alert, each alert must
come from the policy version that was active when the exec happened (its output says which
text, and versions only move forward), the kernel must report zero drops, and the agent must
never restart."""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

EXECS = 2000
REWRITES = 20

POLICY = "policy e2e { rules [tag:e2e] }\n"
INVALID = "rule exec_of_target { on exec when proc.nmae == 1 }\n"


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    agent_ctx = harness.Agent(vigil, "")
    target = os.path.join(agent_ctx.dir, "vigil-e2e-target")
    shutil.copy("/bin/true", target)
    versions = [harness.exec_rule(target, "A") + POLICY, harness.exec_rule(target, "B") + POLICY,
                INVALID]
    agent_ctx.write_policy(versions[0])
    failures = []
    with agent_ctx as agent:
        pid = agent.proc.pid
        rewrites = 0
        expected_ok_reloads = 0
        for i in range(EXECS):
            if i > 0 and i % (EXECS // REWRITES) == 0 and rewrites < REWRITES:
                rewrites += 1
                text = versions[rewrites % 3]
                agent.write_policy(text)
                # Wait until the agent has acted on this rewrite, so that each exec below runs
                # under a known version.
                if text is INVALID:
                    agent.wait_for_log("failed; version", count=rewrites - expected_ok_reloads)
                else:
                    expected_ok_reloads += 1
                    agent.wait_for_log("active (file change)", count=expected_ok_reloads)
            subprocess.run([target, str(i)], check=True)
        # Let the last events through, then stop the agent to flush its outputs.
        deadline = time.time() + 20
        while time.time() < deadline and len(agent.alerts()) < EXECS:
            time.sleep(0.1)
        status = agent.status()
        agent.stop()
        log = agent.log_text()
        alerts = agent.alerts()

        if agent.proc.pid != pid or "final stats" not in log:
            failures.append("the agent did not run through to a clean stop")
        by_exec = {}
        for a in alerts:
            args = a["event"]["proc"].get("args", [])
            if len(args) >= 2 and args[0].endswith("vigil-e2e-target"):
                by_exec.setdefault(int(args[1]), []).append(a)
        missing = [i for i in range(EXECS) if i not in by_exec]
        doubled = [i for i, a in by_exec.items() if len(a) != 1]
        if missing:
            failures.append(f"{len(missing)} execs without an alert, first: {missing[:10]}")
        if doubled:
            failures.append(f"{len(doubled)} execs with more than one alert, first: {doubled[:10]}")
        # Which label each exec should carry: the version active when it ran.
        label_at = []
        current = "A"
        done = 0
        for i in range(EXECS):
            if i > 0 and i % (EXECS // REWRITES) == 0 and done < REWRITES:
                done += 1
                if versions[done % 3] is not INVALID:
                    current = "A" if done % 3 == 0 else "B"
            label_at.append(current)
        wrong = [i for i in range(EXECS) if i in by_exec and len(by_exec[i]) == 1
                 and not by_exec[i][0]["output"].startswith(label_at[i] + " ")]
        if wrong:
            i = wrong[0]
            failures.append(f"{len(wrong)} alerts from the wrong policy version, first exec {i}: "
                            f"expected {label_at[i]}, got '{by_exec[i][0]['output']}'")
        versions_seen = [by_exec[i][0].get("policy_version") for i in sorted(by_exec)
                         if len(by_exec[i]) == 1]
        if any(v is None for v in versions_seen):
            failures.append("alerts do not carry policy_version")
        elif versions_seen != sorted(versions_seen):
            failures.append("policy versions in alerts run backwards")
        drops = re.findall(r"final stats: .*?drops main=(\d+) net=(\d+)", log)
        if not drops or drops[-1] != ("0", "0"):
            failures.append(f"kernel drops: {drops}")
        ok_reloads = status["reloads"]["ok"]
        failed_reloads = status["reloads"]["failed"]
        print(f"{len(alerts)} alerts for {EXECS} execs; reloads ok={ok_reloads} failed={failed_reloads}; "
              f"versions seen {sorted(set(v for v in versions_seen if v is not None))}")
        if failed_reloads != REWRITES // 3:
            failures.append(f"expected {REWRITES // 3} failed reloads, status says {failed_reloads}")
    for f in failures:
        print("FAIL:", f)
    print("ok" if not failures else f"{len(failures)} failures")
    sys.exit(1 if failures else 0)
