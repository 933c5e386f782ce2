#!/usr/bin/env python3
"""`vigil run | head -c 10`, then SIGINT (issue 13, item 19): the agent must not die of SIGPIPE
(exit 141) when the reader of its stdout goes away. It logs once that stdout is closed, counts
the alerts it could not write as failed, keeps writing its other outputs, and on SIGINT exits 0
with its final stats."""
import os
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    head = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL)
    ctx = harness.Agent(vigil, "", stdout=head.stdin)
    target = os.path.join(ctx.dir, "vigil-e2e-target")
    shutil.copy("/bin/true", target)
    ctx.write_policy(harness.exec_policy(target))
    ctx.outputs = ["stdout", "file:" + ctx.alerts_path]
    failures = []
    try:
        with ctx as agent:
            head.stdin.close()  # only the agent holds the pipe now
            subprocess.run([target, "first"], check=True)
            head.wait(timeout=10)  # it read its 10 bytes and exited
            for i in range(5):
                subprocess.run([target, f"later-{i}"], check=True)
            agent.wait_alerts(6)
            agent.stop(signal.SIGINT)
            code = agent.proc.returncode
            log = agent.log_text()
            if code != 0:
                failures.append(f"exit status {code} (141/-13: killed by SIGPIPE)")
            stats = harness.final_stats(log)
            if not stats:
                failures.append("no final stats")
            sink = harness.sink_stats(stats, "stdout")
            rule_alerts, reports = harness.split_loss_reports(agent.alerts())
            n_reports = harness.loss_reports_written(stats) or 0
            # 6 rule alerts plus the agent's loss reports went to stdout.
            if not sink or sink["failed"] < 5 or sink["written"] + sink["failed"] != 6 + n_reports:
                failures.append(f"stdout stats {sink}: expected the alerts after head left "
                                f"counted as failed ({n_reports} loss reports)")
            # Every failure is reported in the file, but for the last report's own on stdout.
            reported = sum(r["loss"]["alerts_failed"] for r in reports)
            if not reports or not sink or reported != sink["failed"] - 1:
                failures.append(f"loss reports in the file say {reported} failed writes; "
                                f"stdout says {sink}")
            if log.count("EPIPE") != 1:
                failures.append(f"'EPIPE' logged {log.count('EPIPE')} times, expected once")
            if len(rule_alerts) != 6:
                failures.append(f"the file output got {len(rule_alerts)} alerts, not 6")
            print(f"exit {code}; stdout sink {sink}")
    finally:
        if head.poll() is None:
            head.kill()
            head.wait()
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
