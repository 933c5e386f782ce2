#!/usr/bin/env python3
"""Agent benchmark (root): reload latency over 50 reloads of a 100-rule set, and the agent's CPU
time per delivered event and its RSS, idle and under an exec storm, next to the storm's own CPU
time. Everything is measured in this run; nothing is compared with a stored figure.

usage: run.py [VIGIL] [--policy PATH ...] [--storm-only]
  --policy      the agent's policy files instead of the generated 100-rule set (e.g. `make run`'s:
                --policy rules/ --policy policies/default.vgl)
  --storm-only  skip the reload and idle measurements
  --perf FILE   record the agent's profile during the storms (perf record -g) into FILE
  --storms N    how many exec storms (3); the median is printed
  --agent-arg A pass A to `vigil run` (repeatable; e.g. --agent-arg=--read-interval-ms=10)

CPU is read from /proc/PID/task/*/schedstat (nanoseconds on a CPU, summed over the agent's
threads), not /proc/PID/stat's 10 ms ticks. Before the storms the agent's idle CPU rate is measured
over a quiet period; each storm's figure is given raw and above idle (its CPU less the idle rate
times the storm's wall time). The load average at the start is printed: the figures depend on it."""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_seconds(pid):
    """The process's CPU time so far: /proc/PID/task/*/schedstat's first field (ns on a CPU),
    summed over its threads. A thread that exits takes its time with it; the agent's threads live
    as long as it does."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1e9


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def status(vigil, sock):
    out = subprocess.run([vigil, "status", "--json", "--control-socket", sock],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def events_delivered(vigil, sock):
    return int(re.search(r"events=(\d+)", status(vigil, sock)["stats"]).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vigil", nargs="?", default="build/vigil")
    ap.add_argument("--policy", action="append", default=[])
    ap.add_argument("--storm-only", action="store_true")
    ap.add_argument("--perf")
    ap.add_argument("--storms", type=int, default=3)
    ap.add_argument("--agent-arg", action="append", default=[])
    args = ap.parse_args()
    vigil = os.path.abspath(args.vigil)
    if os.geteuid() != 0:
        print("bench/agent: needs root (it runs the agent); skipped")
        return 0
    scratch = tempfile.mkdtemp(prefix="vigil-bench-agent-")
    os.chmod(scratch, 0o755)
    if args.policy:
        policy_args = [a for p in args.policy for a in ("--policy", os.path.abspath(p))]
    else:
        rules = os.path.join(scratch, "rules")
        subprocess.run([sys.executable, os.path.join(HERE, "..", "lint", "gen_rules.py"), rules, "100", "5"],
                       check=True)
        policy_args = ["--policy", rules]
    sock = os.path.join(scratch, "ctl.sock")
    log = open(os.path.join(scratch, "agent.log"), "w")
    agent = subprocess.Popen([vigil, "run", *policy_args, "--output", "file:" + os.path.join(scratch, "alerts"),
                              "--control-socket", sock, "--stats-interval", "3600", "--no-watch", *args.agent_arg],
                             stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.time() + 60
        while "watching" not in open(log.name).read():
            if time.time() > deadline or agent.poll() is not None:
                print(open(log.name).read())
                return 1
            time.sleep(0.1)

        latencies = []
        for _ in range(0 if args.storm_only else 50):
            out = subprocess.run([vigil, "reload", "--control-socket", sock], capture_output=True, text=True)
            m = re.search(r"took ([0-9.]+) ms", out.stdout)
            if not m:
                print("reload failed:", out.stdout, out.stderr)
                return 1
            latencies.append(float(m.group(1)))
        if latencies:
            print(f"reload latency, 100 rules, 50 reloads: median {statistics.median(latencies):.2f} ms, "
                  f"max {max(latencies):.2f} ms (lint + compile + kernel write + flip)")

        if not args.storm_only:
            # Idle: a quiet period.
            c0, e0 = cpu_seconds(agent.pid), events_delivered(vigil, sock)
            time.sleep(5)
            c1, e1 = cpu_seconds(agent.pid), events_delivered(vigil, sock)
            print(f"idle 5 s: agent CPU {c1 - c0:.3f} s for {e1 - e0} events (background activity), "
                  f"RSS {rss_kib(agent.pid)} KiB")

        print("load average at the start: " + " ".join(open("/proc/loadavg").read().split()[:3]) +
              f" ({os.cpu_count()} CPUs)")
        # The agent's CPU rate with nothing to do (its timers, the status calls): subtracted from
        # each storm's CPU for the "above idle" figure.
        time.sleep(1)
        w0, c0 = time.monotonic(), cpu_seconds(agent.pid)
        time.sleep(3)
        idle_rate = (cpu_seconds(agent.pid) - c0) / (time.monotonic() - w0)
        print(f"agent idle CPU rate: {idle_rate * 1e3:.3f} ms per second")

        # Exec storm: 3,000 execs of /bin/true from one shell.
        storm = "i=0; while [ $i -lt 3000 ]; do /bin/true; i=$((i+1)); done"
        perf = None
        if args.perf:
            perf = subprocess.Popen(["perf", "record", "-g", "-q", "-o", args.perf, "-p", str(agent.pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        raw, above = [], []
        for n in range(max(1, args.storms)):
            e0 = events_delivered(vigil, sock)
            w0, c0 = time.monotonic(), cpu_seconds(agent.pid)
            t0 = os.times()
            subprocess.run(["sh", "-c", storm], check=True)
            t1 = os.times()
            time.sleep(1)  # let the agent drain the ring buffer
            c1, w1 = cpu_seconds(agent.pid), time.monotonic()
            e1 = events_delivered(vigil, sock)
            storm_cpu = (t1.children_user + t1.children_system) - (t0.children_user + t0.children_system)
            agent_cpu = c1 - c0
            busy = max(0.0, agent_cpu - idle_rate * (w1 - w0))
            events = max(1, e1 - e0)
            raw.append(agent_cpu / events * 1e6)
            above.append(busy / events * 1e6)
            print(f"exec storm {n + 1} (3,000 execs): storm CPU {storm_cpu:.3f} s; agent CPU {agent_cpu:.3f} s "
                  f"({busy:.3f} s above idle over {w1 - w0:.2f} s) for {e1 - e0} events = "
                  f"{raw[-1]:.2f} us/event raw, {above[-1]:.2f} above idle; "
                  f"agent/storm CPU ratio {agent_cpu / max(storm_cpu, 1e-9):.2f}; RSS {rss_kib(agent.pid)} KiB")
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait(timeout=60)
        print(f"exec storm, median of {len(raw)}: {statistics.median(raw):.2f} us/event raw, "
              f"{statistics.median(above):.2f} us/event above idle")
        print(status(vigil, sock)["stats"])
    finally:
        agent.send_signal(signal.SIGTERM)
        try:
            agent.wait(timeout=30)
        except subprocess.TimeoutExpired:
            agent.kill()
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
