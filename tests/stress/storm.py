"""Stress: a fork/exec/exit storm against the agent running the full rule library.

Usage: storm.py VIGIL REPO [--seconds N] [--workers N] [--rss-mib N]

Checks, and prints each with its figure:
- the agent keeps running through the storm and stops cleanly afterwards;
- its resident memory stays under --rss-mib (sampled every 0.5 s);
- nothing is lost silently: every exec the storm made is either an exec event the agent got or
  a drop the kernel counted (drops main + kills_unreported);
- the process tree shrinks back once the storm is over (exited processes expire).
Exit 0 when every check holds, 1 otherwise. Run by `make stress` (root, real BPF); not part of
`make test` because it takes a minute or more."""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e", "agent"))
import harness  # noqa: E402


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def stats_line(agent, count):
    """Asks the agent for a stats line (SIGUSR1) and returns it."""
    agent.proc.send_signal(signal.SIGUSR1)
    agent.wait_for_log("stats:", timeout=30, count=count)
    return [line for line in agent.log_text().splitlines() if "stats:" in line][-1]


def counter(line, name):
    m = re.search(r"\b" + re.escape(name) + r"=(\d+)", line)
    return int(m.group(1)) if m else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vigil")
    ap.add_argument("repo")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--rss-mib", type=int, default=512)
    args = ap.parse_args()
    harness.require_root_and_bpf()
    rules = os.path.join(args.repo, "rules")
    policy = os.path.join(args.repo, "policies", "default.vgl")
    failures = []
    with harness.Agent(args.vigil, "", policy_paths=[rules, policy],
                       extra_args=["--allow-insecure-perms"]) as agent:
        usr1 = 1
        before = stats_line(agent, usr1)
        base_processes = counter(before, "processes")
        out = tempfile.mkdtemp(prefix="vigil-stress-")
        # Each worker: fork and exec /bin/true as fast as it can, counting the execs it made.
        script = ('n=0; end=$(( $(date +%s) + {s} )); '
                  'while [ $(date +%s) -lt $end ]; do /bin/true; /bin/true; /bin/true; /bin/true; '
                  'n=$((n+4)); done; echo $n > {out}/$$').format(s=args.seconds, out=out)
        workers = [subprocess.Popen(["/bin/sh", "-c", script]) for _ in range(args.workers)]
        max_rss = 0.0
        alive = True
        while any(w.poll() is None for w in workers):
            if agent.proc.poll() is not None:
                alive = False
                break
            max_rss = max(max_rss, rss_mib(agent.proc.pid))
            time.sleep(0.5)
        for w in workers:
            w.wait()
        storm_execs = 0
        for name in os.listdir(out):
            with open(os.path.join(out, name)) as f:
                storm_execs += int(f.read().strip() or 0)
            os.unlink(os.path.join(out, name))
        os.rmdir(out)
        print(f"storm: {args.workers} workers, {args.seconds} s, {storm_execs} execs "
              f"({storm_execs / max(1, args.seconds):.0f}/s)")
        if not alive:
            failures.append("the agent died during the storm")
        else:
            print(f"rss: max {max_rss:.1f} MiB (bound {args.rss_mib} MiB)")
            if max_rss > args.rss_mib:
                failures.append(f"rss {max_rss:.1f} MiB over the bound of {args.rss_mib} MiB")
            # The tree shrinks back: exited processes expire after their grace period.
            deadline = time.time() + 60
            processes = None
            while time.time() < deadline:
                usr1 += 1
                line = stats_line(agent, usr1)
                processes = counter(line, "processes")
                if processes <= base_processes + 100:
                    break
                time.sleep(2)
            print(f"process tree: {base_processes} before, {processes} after the storm")
            if processes is None or processes > base_processes + 100:
                failures.append(f"the process tree did not shrink back ({processes} processes, "
                                f"{base_processes} before)")
            delivered = counter(line, "exec") - counter(before, "exec")
            m = re.search(r"drops main=(\d+)", line)
            dropped = int(m.group(1)) if m else 0
            unreported = counter(line, "kills_unreported")
            print(f"execs: {delivered} delivered, {dropped} events dropped (counted by the "
                  f"kernel), the storm made {storm_execs}")
            if delivered + dropped + unreported < storm_execs:
                failures.append(f"{storm_execs - delivered - dropped} execs neither delivered "
                                "nor counted as dropped")
        agent.stop(signal.SIGINT)
        final = harness.final_stats(agent.log_text())
        if not final:
            failures.append("no final stats: the agent did not stop cleanly")
    for f in failures:
        print("FAIL:", f)
    print(f"{max(0, 4 - len(failures))} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
