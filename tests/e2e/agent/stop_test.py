#!/usr/bin/env python3
"""Stopping is prompt and loses nothing (issue 13, item 24). The agent runs the repository's
rules with policies/default.vgl plus a policy alerting on every exec of a test target. Twice:
idle, then right after 300 execs of the target, it gets SIGINT; it must exit 0 within a second
each time, with its final stats, and every one of the 300 alerts must be in its output (the
ring buffers, the pending cache and the output queues are drained first)."""
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

EXECS = 300
LIMIT_S = 1.0

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
POLICY = "policy e2e_stop { rules [exec_of_target] }\n"


def timed_stop(agent):
    start = time.monotonic()
    agent.proc.send_signal(signal.SIGINT)
    agent.proc.wait(timeout=30)
    return time.monotonic() - start


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    figures = []
    for burst in (0, EXECS):
        ctx = harness.Agent(vigil, "")
        target = os.path.join(ctx.dir, "vigil-e2e-target")
        shutil.copy("/bin/true", target)
        ctx.write_policy(harness.exec_rule(target) + POLICY)
        ctx.policy_paths = [os.path.join(ROOT, "rules"), os.path.join(ROOT, "policies/default.vgl"),
                            ctx.policy]
        with ctx as agent:
            for i in range(burst):
                subprocess.run([target, str(i)], check=True)
            elapsed = timed_stop(agent)
            figures.append(elapsed)
            log = agent.log_text()
            if agent.proc.returncode != 0 or not harness.final_stats(log):
                failures.append(f"exit {agent.proc.returncode}, final stats: "
                                f"{bool(harness.final_stats(log))}")
            if elapsed >= LIMIT_S:
                failures.append(f"stopping took {elapsed:.2f} s after {burst} execs "
                                f"(limit {LIMIT_S} s)")
            got = sorted(int(a["event"]["proc"]["args"][1]) for a in agent.alerts()
                         if a["rule"] == "exec_of_target")
            if got != list(range(burst)):
                failures.append(f"{burst - len(got)} of {burst} alerts lost at stop")
    print("SIGINT to exit: idle {:.3f} s, after {} execs {:.3f} s".format(figures[0], EXECS,
                                                                           figures[1]))
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
