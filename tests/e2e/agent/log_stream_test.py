#!/usr/bin/env python3
"""The agent's log never shares a stream with its alerts by accident (issue 17): `vigil run`
refuses, before anything else (so no root is needed to check it), --log-output stdout with
--output stdout, a log file that is an alert file, and alerts on stdout when stderr is the same
pipe (2>&1); it accepts stdout alerts with a separate stderr."""
import os
import subprocess
import sys
import tempfile

vigil = sys.argv[1]
failures = []


def run(args, **kw):
    return subprocess.run([vigil, "run", "--policy", "/nonexistent"] + args, timeout=30, **kw)


def expect_refused(what, args, needle, **kw):
    r = run(args, **kw)
    out = (r.stdout or b"") + (r.stderr or b"")
    if r.returncode != 2 or needle.encode() not in out:
        failures.append(f"{what}: exit {r.returncode}, output {out[-400:]!r}; expected exit 2 "
                        f"and '{needle}'")


expect_refused("stdout twice", ["--output", "stdout", "--log-output", "stdout"],
               "the log would mix with the alerts", capture_output=True)
with tempfile.TemporaryDirectory() as d:
    alerts = os.path.join(d, "alerts.jsonl")
    open(alerts, "w").close()
    os.symlink(alerts, os.path.join(d, "log"))
    expect_refused("same file by another name",
                   ["--output", "file:" + alerts, "--log-output", "file:" + os.path.join(d, "log")],
                   "is also an alert output", capture_output=True)
    expect_refused("unknown log output", ["--log-output", "journal"], "use stderr, stdout or file",
                   capture_output=True)
# 2>&1 into one pipe.
expect_refused("2>&1", ["--output", "stdout"], "2>&1", stdout=subprocess.PIPE,
               stderr=subprocess.STDOUT)
# Separate pipes pass the check (and stop later: as non-root, or on the missing policy).
r = run(["--output", "stdout"], capture_output=True)
if b"the log would mix" in r.stderr:
    failures.append(f"separate stdout and stderr were refused: {r.stderr[-300:]!r}")

for f in failures:
    print("FAIL: " + f)
print("log stream checks:", "ok" if not failures else f"{len(failures)} failed")
sys.exit(1 if failures else 0)
