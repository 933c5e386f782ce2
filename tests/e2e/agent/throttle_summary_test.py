#!/usr/bin/env python3
"""A rule's throttle in the running agent (issue 15): of 5 quick runs of the target, one alert
goes out and 4 are held back; no later run comes to carry the count, so when the window closes
the agent's clock sends a summary alert (throttle_summary, suppressed 4, the first and last
times). A second key held back at shutdown is summarised then: nothing held back goes
unreported, and the stats line counts both summaries."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

RULES = """
rule e2e_target_runs {{
  desc "the e2e target ran"
  severity low
  tags [e2e]
  on exec
  when proc.exe == "{target}"
  output "target ran with {{proc.args}}"
  throttle 1 per 3s
  by proc.args
}}
policy e2e {{ rules [tag:e2e] }}
"""


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    ctx, target = harness.agent_with_target(vigil)
    ctx.write_policy(RULES.format(target=target))
    with ctx as agent:
        for _ in range(5):
            subprocess.run([target, "first"], check=True)
        agent.wait_alerts(1)
        # The window (3 s from the first run) closes by the clock: one more second of slack,
        # then the agent's once-a-second check.
        agent.wait_alerts(2, timeout=10)
        alerts, _ = harness.split_loss_reports(agent.alerts())
        first = [a for a in alerts if "first" in a.get("output", "")]
        if len(first) != 2:
            failures.append(f"expected the alert and its summary, got {[a.get('output') for a in first]}")
        else:
            alert, summary = first
            if alert.get("suppressed") or alert.get("throttle_summary"):
                failures.append(f"the first alert carries a count: {alert}")
            if not summary.get("throttle_summary") or summary.get("suppressed") != 4:
                failures.append(f"the summary should say 4 suppressed: {summary}")
            if summary.get("suppressed_first", "") > summary.get("suppressed_last", ""):
                failures.append(f"first after last: {summary}")
            if summary.get("rule") != "e2e_target_runs" or summary.get("severity") != "low":
                failures.append(f"the summary is not the rule's alert: {summary}")
        # A second key: its held-back run is still in its window when the agent stops.
        for _ in range(2):
            subprocess.run([target, "second"], check=True)
        agent.wait_alerts(3)
        time.sleep(0.5)
        agent.stop()
        alerts, _ = harness.split_loss_reports(agent.alerts())
        second = [a for a in alerts if "second" in a.get("output", "")]
        if len(second) != 2 or second[1].get("suppressed") != 1 or \
                not second[1].get("throttle_summary"):
            failures.append(f"at shutdown the held-back run should be summarised: {second}")
        stats = harness.final_stats(agent.log_text())
        if "throttle_summaries=2" not in stats:
            failures.append(f"the final stats should count 2 summaries: {stats}")
    for f in failures:
        print("FAIL: " + f)
    print(f"{len(failures)} failures")
    sys.exit(1 if failures else 0)
