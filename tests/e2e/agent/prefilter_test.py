#!/usr/bin/env python3
"""The argument prefilter through the real kernel (issue 16, goal 2): with a rule on the open of
one watched path, opening that path still alerts, while opening an unwatched path many times
sends nothing to user space: the kernel counts each as `prefiltered`, and the agent receives no
open event for it. `vigil compile --explain` shows the prefilter the agent loaded."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

POLICY = """
rule open_watched {{
  desc "the watched file was opened"
  severity low
  on open
  when file.path == "{watched}" and not evt.failed
  output "{{proc.name}} opened {{file.path}}"
}}
"""

OPENS = 2000

if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    ctx = harness.Agent(vigil, "")
    watched = os.path.join(ctx.dir, "watched")
    unwatched = os.path.join(ctx.dir, "unwatched")
    for p in (watched, unwatched):
        with open(p, "w") as f:
            f.write("x")
    ctx.write_policy(POLICY.format(watched=watched))
    failures = []
    explain = subprocess.run([vigil, "compile", "--explain", ctx.policy], capture_output=True,
                             text=True, timeout=60).stdout
    if f'its path is one of ["{watched}"]' not in explain:
        failures.append("compile --explain does not show the prefilter:\n" + explain)
    with ctx as agent:
        # The unwatched path, from a child process: every open is judged by the kernel.
        subprocess.run([sys.executable, "-c",
                        f"import os\nfor _ in range({OPENS}): os.close(os.open({unwatched!r}, os.O_RDONLY))"],
                       check=True)
        subprocess.run(["cat", watched], check=True, stdout=subprocess.DEVNULL)
        alerts, _ = harness.split_loss_reports(agent.wait_alerts(1))
        paths = [a["event"].get("file", {}).get("path") for a in alerts]
        if paths != [watched]:
            failures.append(f"alerts: {paths}")
        agent.stop()
        stats = harness.final_stats(agent.log_text())
        m = re.search(r"\bprefiltered=(\d+)", stats)
        if not m or int(m.group(1)) < OPENS:
            failures.append(f"prefiltered counter below {OPENS}: {stats}")
        m = re.search(r"\bevents [^;]*\bopen=(\d+)", stats)
        delivered = int(m.group(1)) if m else 0
        # Other processes' opens of the watched path may arrive too; the loop's never do.
        if delivered >= OPENS:
            failures.append(f"the unwatched opens reached user space: open={delivered}: {stats}")
        if "argument prefilter for open events: on" not in agent.log_text():
            failures.append("the agent does not log the prefilter")
        print(stats[:400])
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
