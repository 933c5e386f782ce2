#!/usr/bin/env python3
"""Agent scale curve (root): agent CPU, ring-buffer drops and alert latency against event rate,
from 1,000 opens/s up to what this machine's generator can produce (saturation).

One agent runs a rule that selects every open under a scratch directory (so the kernel delivers all
of them) and alerts on the few named probe-N. A generator opens files there at a fixed rate for a
few seconds per step; 50 times a second one of the opens is a probe, whose time is noted, and a
reader thread follows the alert file to time each probe's alert (alert latency, from just before
the open to the alert line being readable). Per step: offered and delivered events/s, agent CPU (%
of one core and us per event, from schedstat), ring-buffer drops, latency median and p99. The agent
runs without its flood limits (--process-event-rate 0, --alert-limit 0). CPU and events are read
after a 1 s drain and divided by the step's generating time.
Writes a tab-separated data file (bench/results/agent_rate.tsv by default). Nothing asserted.
Usage: rate_curve.py VIGIL [OUT.tsv] [--seconds S] [--agent-arg=ARG ...] [--rates R,R,...]
  --agent-arg=ARG  passed to `vigil run` (e.g. --agent-arg=--read-interval-ms=10)
  --rates          the offered rates instead of the default ladder
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/agent/run.py)
RATES = [1000, 3000, 10000, 30000, 100000, 300000]


# The agent's CPU seconds so far, from schedstat's ns on a CPU (/proc/PID/stat's 10 ms ticks are
# too coarse at 1,000 events/s): run.py's.
cpu_seconds = run.cpu_seconds


def counters(vigil, sock):
    out = subprocess.run([vigil, "status", "--json", "--control-socket", sock],
                         capture_output=True, text=True, check=True).stdout
    c = json.loads(out)["counters"]
    k = c.get("kernel", {})
    return c["events"]["total"], k.get("drop_main", 0) + k.get("drop_net", 0)


class AlertFollower(threading.Thread):
    """Follows the alert file; notes when each probe's alert became readable."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.seen, self.stop = path, {}, False

    def run(self):
        while not os.path.exists(self.path) and not self.stop:
            time.sleep(0.001)
        with open(self.path, "rb") as f:
            buf = b""
            while not self.stop:
                chunk = f.read()
                if not chunk:
                    time.sleep(0.0005)
                    continue
                now = time.monotonic()
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    i = line.find(b"probe-")
                    if i >= 0:
                        j = i + 6
                        while j < len(line) and line[j:j + 1].isdigit():
                            j += 1
                        self.seen.setdefault(int(line[i + 6:j]), now)


def generate(directory, rate, seconds, probes, first_probe):
    """Opens files in `directory` at `rate` per second; every rate/50-th is a probe."""
    quiet = os.path.join(directory, "quiet")
    every = max(1, rate // 50)
    slice_s = 0.01
    per_slice = max(1, int(rate * slice_s))
    n, probe = 0, first_probe
    start = time.monotonic()
    deadline = start + seconds
    next_slice = start
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        if now < next_slice:
            time.sleep(next_slice - now)
        for _ in range(per_slice):
            if n % every == 0:
                path = os.path.join(directory, f"probe-{probe}")
                probes[probe] = time.monotonic()
                probe += 1
            else:
                path = quiet
            os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o644))
            n += 1
        next_slice += slice_s
        if time.monotonic() - next_slice > 0.5:  # far behind: saturated, run flat out
            next_slice = time.monotonic()
    return n / (time.monotonic() - start), probe


def main():
    args, agent_args, rates, seconds = [], [], RATES, 3.0
    argv = sys.argv[1:]
    while argv:
        a = argv.pop(0)
        if a == "--seconds":
            seconds = float(argv.pop(0))
        elif a == "--rates":
            rates = [int(r) for r in argv.pop(0).split(",")]
        elif a.startswith("--agent-arg="):
            agent_args.append(a[len("--agent-arg="):])
        else:
            args.append(a)
    vigil = os.path.abspath(args[0] if args else "build/vigil")
    out_path = args[1] if len(args) > 1 else os.path.join(HERE, "..", "results", "agent_rate.tsv")
    if os.geteuid() != 0:
        print("bench/agent/rate_curve: needs root (it runs the agent); skipped")
        return 0
    scratch = tempfile.mkdtemp(prefix="vigil-bench-rate-")
    os.chmod(scratch, 0o755)
    target = os.path.join(scratch, "target")
    os.mkdir(target)
    policy = os.path.join(scratch, "rate.vgl")
    with open(policy, "w") as f:
        f.write(f'rule bench_rate_probe {{ desc "probe opens of the rate curve" severity low\n'
                f'  on open when file.path startswith "{target}/" and file.path contains "/probe-"\n'
                f'  output "probe {{file.path}}" }}\n')
    sock = os.path.join(scratch, "ctl.sock")
    alerts = os.path.join(scratch, "alerts")
    log = open(os.path.join(scratch, "agent.log"), "w")
    agent = subprocess.Popen([vigil, "run", "--policy", policy, "--output", "file:" + alerts,
                              "--control-socket", sock, "--stats-interval", "3600", "--no-watch",
                              # the curve measures the agent itself: no per-process event budget
                              # in the kernel, no per-process alert limit
                              "--process-event-rate", "0", "--alert-limit", "0", *agent_args],
                             stdout=subprocess.DEVNULL, stderr=log)
    follower = AlertFollower(alerts)
    rows = []
    try:
        deadline = time.time() + 60
        while "watching" not in open(log.name).read():
            if time.time() > deadline or agent.poll() is not None:
                print(open(log.name).read())
                return 1
            time.sleep(0.1)
        follower.start()
        probes, next_probe = {}, 0
        header = ("offered/s", "delivered/s", "agent CPU %", "us/event", "drops", "latency p50 ms",
                  "latency p99 ms", "probes")
        print("%10s %12s %12s %9s %8s %15s %15s %7s" % header)
        for rate in rates:
            first = next_probe
            c0, (e0, d0) = cpu_seconds(agent.pid), counters(vigil, sock)
            t0 = time.monotonic()
            achieved, next_probe = generate(target, rate, seconds, probes, first)
            elapsed = time.monotonic() - t0
            time.sleep(1.0)  # drain: events sent during the step, handled after it, count
            c1, (e1, d1) = cpu_seconds(agent.pid), counters(vigil, sock)
            events = max(1, e1 - e0)
            lat = sorted((follower.seen[p] - probes[p]) * 1e3
                         for p in range(first, next_probe) if p in follower.seen)
            missing = (next_probe - first) - len(lat)
            p50 = statistics.median(lat) if lat else float("nan")
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
            row = (achieved, (e1 - e0) / elapsed, (c1 - c0) / elapsed * 100,
                   (c1 - c0) / events * 1e6, d1 - d0, p50, p99, f"{len(lat)}/{len(lat) + missing}")
            rows.append(row)
            print("%10.0f %12.0f %12.1f %9.2f %8d %15.2f %15.2f %7s" % row)
    finally:
        follower.stop = True
        agent.send_signal(signal.SIGTERM)
        try:
            agent.wait(timeout=30)
        except subprocess.TimeoutExpired:
            agent.kill()
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        f.write("# offered_per_s\tdelivered_per_s\tagent_cpu_pct\tus_per_event\tdrops\t"
                "latency_p50_ms\tlatency_p99_ms\n")
        for r in rows:
            f.write("%.0f\t%.0f\t%.1f\t%.2f\t%d\t%.3f\t%.3f\n" % r[:7])
    print(f"data: {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
