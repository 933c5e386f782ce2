#!/usr/bin/env python3
"""Issue 15 in the running agent: a sequence rule (a file written under a folder, then that very
file executed) fires on real events, and its alert lists the contributing events (times, pids,
steps) and the key. A file written and an other file executed does not fire it; the agent's stats
count the correlation."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

RULES = """
rule e2e_dropped_then_run {{
  desc "a file written under the e2e folder, then executed"
  severity high
  tags [e2e]
  step written on open when open.write and file.path startswith "{folder}/"
  step ran on exec when proc.exe == written.file.path
  within 30s
  by user.name
  output "{{proc.exe}} ran after it was written"
}}
policy e2e {{ rules [tag:e2e] }}
"""


def drop(path):
    with open("/bin/true", "rb") as src, open(path, "wb") as dst:
        dst.write(src.read())
    os.chmod(path, 0o755)


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    folder = tempfile.mkdtemp(prefix="vigil-e2e-corr-", dir="/tmp")
    try:
        ctx = harness.Agent(vigil, RULES.format(folder=folder))
        with ctx as agent:
            # Quiet: written, but another file runs.
            drop(os.path.join(folder, "written-only"))
            other = os.path.join(folder, "other")
            shutil.copy("/bin/true", other)  # also written under the folder: then run below
            time.sleep(0.5)
            # The sequence: this process writes, a child runs the file.
            dropped = os.path.join(folder, "dropped")
            drop(dropped)
            before = time.time()
            child = subprocess.Popen([dropped])
            child.wait()
            alerts = agent.wait_alerts(1, timeout=15)
            time.sleep(1)
            alerts, _ = harness.split_loss_reports(agent.alerts())
            mine = [a for a in alerts if a.get("rule") == "e2e_dropped_then_run"]
            if len(mine) != 1:
                failures.append(f"expected one alert, got {[(a.get('rule'), a.get('output')) for a in alerts]}")
            else:
                a = mine[0]
                corr = a.get("correlation", {})
                events = corr.get("events", [])
                if corr.get("kind") != "sequence":
                    failures.append(f"correlation kind: {corr}")
                if corr.get("key") != {"user.name": "root"}:
                    failures.append(f"key: {corr.get('key')}")
                if [e.get("step") for e in events] != ["written", "ran"]:
                    failures.append(f"steps: {events}")
                elif events[0].get("pid") != os.getpid() or events[1].get("pid") != child.pid:
                    failures.append(f"pids: {events} (writer {os.getpid()}, child {child.pid})")
                if a.get("event", {}).get("proc", {}).get("exe") != dropped:
                    failures.append(f"alert event: {a.get('event')}")
                if not all(e.get("time", "").endswith("Z") for e in events):
                    failures.append(f"times: {events}")
            # The other file, copied (written) earlier, runs now: that also completes a
            # sequence; the written-only file never runs.
            subprocess.run([other], check=True)
            agent.wait_alerts(2, timeout=15)
            alerts, _ = harness.split_loss_reports(agent.alerts())
            mine = [a for a in alerts if a.get("rule") == "e2e_dropped_then_run"]
            exes = sorted(a.get("event", {}).get("proc", {}).get("exe") for a in mine)
            if exes != sorted([dropped, other]):
                failures.append(f"alerts for {exes}, expected {dropped} and {other}")
            stats = agent.status().get("stats", "")
            if "correlations_fired=2" not in stats:
                failures.append(f"stats: {stats}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("ok: write then exec fired once per executed file, with both events, pids and key")
    sys.exit(1 if failures else 0)
