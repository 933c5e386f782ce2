#!/usr/bin/env python3
"""Alert floods do not blind the agent (issue 13, item 17). One process opens a file in a tight
loop that a rule alerts on, while twenty other processes each raise one real alert of another
rule. Every one of the twenty alerts must arrive; the flooding process is throttled in the kernel
(its budget per second) and its repeated alerts are suppressed in the agent; both are counted,
and the agent's loss reports (rule vigil:loss) name the process and the rule, with counts that
add up to the agent's final counters."""
import os
import re
import subprocess
import sys
import time

import harness

FLOOD_SECONDS = 6
REAL_ALERTS = 20

POLICY = """
rule flood_read {{
  desc "the flooding loop opened its file"
  severity low
  tags [e2e]
  on open
  when file.path == "{dir}/flood"
  output "flood {{proc.pid}}"
}}
rule marker_read {{
  desc "a real alert during the flood"
  severity high
  tags [e2e]
  on open
  when file.path startswith "{dir}/marker-"
  output "marker {{file.path}}"
}}
test flood_read {{ alert open {{ file.path: "{dir}/flood" }} quiet open {{ file.path: "/x" }} }}
test marker_read {{ alert open {{ file.path: "{dir}/marker-1" }} quiet open {{ file.path: "/x" }} }}
"""

FLOODER = """
import os, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
end = time.monotonic() + seconds
n = 0
while True:
    for _ in range(1000):
        os.close(os.open(path, os.O_RDONLY))
    n += 1000
    if time.monotonic() > end:
        break
print(n)
"""


def stat(line, name):
    m = re.search(r"\b" + re.escape(name) + r"=(\d+)", line)
    return int(m.group(1)) if m else None


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    ctx = harness.Agent(vigil, "", extra_args=["--loss-report-interval", "1"] + sys.argv[2:])
    ctx.write_policy(POLICY.format(dir=ctx.dir))
    for i in range(REAL_ALERTS):
        with open(os.path.join(ctx.dir, f"marker-{i}"), "w") as f:
            f.write("x")
    with open(os.path.join(ctx.dir, "flood"), "w") as f:
        f.write("x")
    with ctx as agent:
        flooder = subprocess.Popen([sys.executable, "-c", FLOODER, os.path.join(agent.dir, "flood"),
                                    str(FLOOD_SECONDS)], stdout=subprocess.PIPE, text=True)
        try:
            time.sleep(1)  # the flood is on
            for i in range(REAL_ALERTS):
                subprocess.run(["cat", os.path.join(agent.dir, f"marker-{i}")],
                               stdout=subprocess.DEVNULL, check=True)
                time.sleep((FLOOD_SECONDS - 2) / REAL_ALERTS)
            opens = int(flooder.communicate(timeout=FLOOD_SECONDS + 30)[0])
        finally:
            if flooder.poll() is None:
                flooder.kill()
                flooder.wait()
        agent.wait_alerts(REAL_ALERTS, timeout=10)
        time.sleep(2)  # a loss report after the flood
        agent.stop()
        log = agent.log_text()
        alerts = agent.alerts()

    stats = harness.final_stats(log)
    markers = sorted({a["event"]["file"]["path"] for a in alerts if a["rule"] == "marker_read"})
    floods = [a for a in alerts if a["rule"] == "flood_read"]
    reports = [a for a in alerts if a["rule"] == "vigil:loss"]
    print(f"flooder: {opens} opens in {FLOOD_SECONDS} s; real alerts {len(markers)}/{REAL_ALERTS}; "
          f"flood alerts {len(floods)}; loss reports {len(reports)}")
    print(stats)
    if len(markers) != REAL_ALERTS:
        failures.append(f"{REAL_ALERTS - len(markers)} of {REAL_ALERTS} real alerts lost")
    if opens < 100000:
        failures.append(f"the flooder managed only {opens} opens: not a flood")

    throttled = stat(stats, "throttled") or 0
    suppressed = stat(stats, "alerts_suppressed")
    if throttled == 0:
        failures.append("the kernel throttled nothing (stats: throttled)")
    if not suppressed:
        failures.append("the agent suppressed no repeated alert (stats: alerts_suppressed)")
    # The flood rule's alerts are bounded by --alert-limit (10 per second) over the flood, plus
    # one window of slack at each end.
    if len(floods) > 10 * (FLOOD_SECONDS + 2):
        failures.append(f"{len(floods)} flood alerts got through the throttle")
    if not reports:
        failures.append("no loss report (rule vigil:loss) in the alert stream")
    else:
        flooder_pid = flooder.pid
        named = [p for r in reports for p in r["loss"]["throttled_processes"]
                 if p["pid"] == flooder_pid]
        if not named:
            failures.append(f"no loss report names the flooding process {flooder_pid} as throttled")
        rules = {s.get("rule") for r in reports for s in r["loss"]["suppressed"]
                 if s.get("pid") == flooder_pid}
        if "flood_read" not in rules:
            failures.append("no loss report names flood_read for the flooding process")
        for r in reports:
            if r.get("source") != "agent" or r["severity"] not in ("low", "medium", "high"):
                failures.append(f"malformed loss report: {r}")
        # Nothing lost silently: the reports add up to the final counters.
        reported_throttled = sum(r["loss"]["events_throttled"] for r in reports)
        reported_suppressed = sum(r["loss"]["alerts_suppressed"] for r in reports)
        if reported_throttled != throttled:
            failures.append(f"loss reports say {reported_throttled} throttled, the kernel {throttled}")
        if reported_suppressed != suppressed:
            failures.append(f"loss reports say {reported_suppressed} suppressed, the agent {suppressed}")
        m = re.search(r"drops main=(\d+) net=(\d+)", stats)
        drops = int(m.group(1)) + int(m.group(2)) if m else -1
        reported_drops = sum(r["loss"]["events_ring_full"] for r in reports)
        if reported_drops != drops:
            failures.append(f"loss reports say {reported_drops} ring drops, the kernel {drops}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
