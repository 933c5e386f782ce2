#!/usr/bin/env python3
"""`vigil record` then `vigil replay`: real events saved with their process context are judged
offline by the built-in rules exactly as the agent would: a real read of /etc/shadow recorded
here raises read_shadow_untrusted on replay, twice with identical bytes, with no malformed line."""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "agent"))
import harness  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))

if __name__ == "__main__":
    vigil = os.path.abspath(sys.argv[1])
    harness.require_root_and_bpf()
    failures = []
    with tempfile.TemporaryDirectory(prefix="vigil-e2e-record-") as d:
        events = os.path.join(d, "events.jsonl")
        rec = subprocess.Popen([vigil, "record", "-o", events, "--events", "exec,open"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                line = rec.stderr.readline()
                if "attached" in line or "ready" in line or not line:
                    break
            subprocess.run(["sh", "-c", "cat /etc/shadow > /dev/null"], check=True)
            time.sleep(0.5)
        finally:
            rec.send_signal(signal.SIGINT)
            rec.communicate(timeout=30)
        replay = [vigil, "replay", "--policy", os.path.join(REPO, "rules"),
                  "--policy", os.path.join(REPO, "policies", "default.vgl"), events]
        first = subprocess.run(replay, capture_output=True, text=True)
        second = subprocess.run(replay, capture_output=True, text=True)
        lines = sum(1 for _ in open(events))
        hits = [l for l in first.stdout.splitlines() if '"rule":"read_shadow_untrusted"' in l
                and '"/etc/shadow"' in l]
        print(f"recorded {lines} events; replay raised {len(first.stdout.splitlines())} alerts, "
              f"{len(hits)} read_shadow_untrusted; stderr: {first.stderr.strip()[-200:]}")
        if lines == 0:
            failures.append("nothing was recorded")
        if not hits:
            failures.append("replay did not raise read_shadow_untrusted for the recorded cat")
        if first.stdout != second.stdout:
            failures.append("two replays of the same file differ")
        if "malformed" in first.stderr and " 0 malformed" not in first.stderr:
            failures.append(f"replay reported malformed lines: {first.stderr.strip()[-300:]}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
