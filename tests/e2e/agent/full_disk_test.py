#!/usr/bin/env python3
"""A full disk never corrupts the alert file (issue 13, item 13). The agent writes its alerts to
a file on a tiny tmpfs; a filler file takes every free page, so the next alerts fill the slack
of the file's last page and then fail part way (ENOSPC). The file must hold only whole JSON
lines, the failures must be counted and logged, and once the filler is removed the alerts that
follow must arrive, each on its own line. The tmpfs is unmounted even when the test fails."""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


def fill(path):
    """Writes to `path` until the file system is full."""
    with open(path, "wb", buffering=0) as f:
        block = b"x" * 4096
        try:
            while True:
                f.write(block)
        except OSError:
            pass
        try:  # the last partial page
            while True:
                f.write(b"x")
        except OSError:
            pass


def run_target(target, tag, n):
    for i in range(n):
        subprocess.run([target, f"{tag}-{i}"], check=True)


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    ctx, target = harness.agent_with_target(vigil)
    ctx.write_policy(harness.exec_policy(target))
    mnt = os.path.join(ctx.dir, "mnt")
    os.mkdir(mnt)
    failures = []
    mounted = False
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "vigil-e2e", mnt],
                       check=True)
        mounted = True
        ctx.alerts_path = os.path.join(mnt, "alerts.jsonl")
        filler = os.path.join(mnt, "filler")
        with ctx as agent:
            run_target(target, "before", 3)
            agent.wait_alerts(3)
            fill(filler)
            run_target(target, "full", 20)
            agent.wait_for_log("alert not written", timeout=15)
            time.sleep(0.5)
            os.unlink(filler)
            run_target(target, "after", 5)
            deadline = time.time() + 15
            while time.time() < deadline:
                with open(ctx.alerts_path) as f:
                    if f.read().count('"after-') >= 5:
                        break
                time.sleep(0.1)
            agent.stop()
            log = agent.log_text()
            with open(ctx.alerts_path) as f:
                text = f.read()
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            else:
                failures.append("the file does not end with a newline")
            args = []
            reports = []  # the agent's loss reports (rule vigil:loss) that reached the file
            for number, line in enumerate(lines, 1):
                try:
                    a = json.loads(line)
                    if a.get("rule") == harness.LOSS_RULE:
                        reports.append(a)
                        continue
                    args.append(a["event"]["proc"]["args"][1])
                except (ValueError, KeyError, IndexError) as e:
                    failures.append(f"line {number} is not a whole alert ({e}): {line[:120]!r}")
            after = [a for a in args if a.startswith("after-")]
            if sorted(after) != [f"after-{i}" for i in range(5)]:
                failures.append(f"alerts after space returned: {after}")
            if [a for a in args if a.startswith("before-")] != [f"before-{i}" for i in range(3)]:
                failures.append(f"alerts before the disk filled: {args}")
            stats = harness.final_stats(log)
            sink = harness.sink_stats(stats, "file:" + ctx.alerts_path)
            lost = 20 - len([a for a in args if a.startswith("full-")])
            # Loss reports written while the disk was full failed too (the file is the only
            # output); the one at shutdown, after space returned, reports the failures.
            reports_failed = (harness.loss_reports_written(stats) or 0) - len(reports)
            if not sink or sink["failed"] != lost + reports_failed or lost == 0:
                failures.append(f"expected {lost} (> 0) failed alerts and {reports_failed} failed "
                                f"loss reports counted, stats say {sink}")
            if not any(r["loss"]["alerts_failed"] > 0 for r in reports):
                failures.append(f"no loss report in the file tells of the failed writes: {reports}")
            if "partial line was cut off" not in log:
                failures.append("no write failed part way: the test did not exercise the cut")
            print(f"{len(lines)} whole lines; {lost} alerts failed while full; sink {sink}")
    finally:
        if mounted:
            subprocess.run(["umount", "-l", mnt])
        shutil.rmtree(ctx.dir, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
