#!/usr/bin/env python3
"""`action kill` never kills vigil, its ancestors (or PID 1, kernel threads, --protect
executables) (issue 13, item 15), neither from user space nor in the kernel at exec, and says
so in the alert; `--kill-audit` kills nothing and alerts "would kill".

The agent runs under a wrapper shell (its parent), started by this test (its grandparent). One
kill policy holds three rules:
- exec of VICTIM, which the kernel decides alone at exec;
- open of TOUCH, decided in user space;
- open of the agent's own policy file, which the agent itself does at every reload.
Checked: a plain child running VICTIM or opening TOUCH is killed (the rules work); this test
process opening TOUCH survives (an ancestor); a reload survives (vigil itself); the wrapper shell
exec'ing VICTIM survives the kernel's kill (an ancestor, from the kernel's kill_protected map);
each of those alerts says killed_by none and why. Then an agent with --kill-audit lets VICTIM
run and alerts "would kill"."""
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

POLICY = """
rule kill_exec_victim {{ desc "d" severity critical tags [e2e] on exec
  when exec.filename == "{victim}" output "exec victim {{proc.pid}}" }}
test kill_exec_victim {{ alert exec {{ exec.filename: "{victim}" }} quiet exec {{ exec.filename: "/bin/true" }} }}
rule kill_open_touch {{ desc "d" severity critical tags [e2e] on open
  when file.path == "{touch}" output "open touch {{proc.pid}}" }}
test kill_open_touch {{ alert open {{ file.path: "{touch}" }} quiet open {{ file.path: "/x" }} }}
rule kill_open_policy {{ desc "d" severity critical tags [e2e] on open
  when file.path == "{policy}" output "open policy {{proc.pid}}" }}
test kill_open_policy {{ alert open {{ file.path: "{policy}" }} quiet open {{ file.path: "/x" }} }}
policy e2e {{ rules [tag:e2e] action kill }}
"""

# Writes its marker at once (only a kill at exec prevents it), then waits for the stop file.
VICTIM = """#!/bin/sh
echo started > "$1"
while [ -n "$2" ] && [ ! -e "$2" ]; do sleep 0.05; done
"""

# The agent's parent: starts it, then (on the go file) execs VICTIM itself.
WRAPPER = """#!/bin/sh
dir="$1"; shift
"$@" 2> "$dir/agent.log" &
echo $! > "$dir/agent.pid"
while [ ! -e "$dir/go" ]; do sleep 0.05; done
exec "$dir/vigil-e2e-victim" "$dir/wrapper.marker" "$dir/stop"
"""


def write_script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def alert_of(alerts, rule, pid):
    return [a for a in alerts if a["rule"] == rule and a["event"]["proc"]["pid"] == pid]


def check(failures, alerts, rule, pid, killed_by, reason):
    found = alert_of(alerts, rule, pid)
    if not found:
        failures.append(f"no {rule} alert for pid {pid}")
        return
    a = found[0]
    if a.get("killed_by") != killed_by or reason not in a.get("not_killed", ""):
        failures.append(f"{rule} pid {pid}: killed_by {a.get('killed_by')}, not_killed "
                        f"{a.get('not_killed')!r}; expected {killed_by}, {reason!r}")


def read_alerts(path):
    import json
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def wait_for(pred, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


if __name__ == "__main__":
    vigil = os.path.abspath(sys.argv[1])
    harness.require_root_and_bpf()
    ctx = harness.Agent(vigil, "")
    d = ctx.dir
    victim = os.path.join(d, "vigil-e2e-victim")
    touch = os.path.join(d, "touch")
    write_script(victim, VICTIM)
    write_script(os.path.join(d, "wrapper"), WRAPPER)
    with open(touch, "w") as f:
        f.write("x")
    ctx.write_policy(POLICY.format(victim=victim, touch=touch, policy=ctx.policy))
    failures = []
    wrapper = None
    agent_pid = None
    try:
        wrapper = subprocess.Popen(
            [os.path.join(d, "wrapper"), d, vigil, "run", "--policy", ctx.policy,
             "--output", "file:" + ctx.alerts_path, "--control-socket", ctx.socket,
             "--stats-interval", "3600"])
        log_path = os.path.join(d, "agent.log")

        def log():
            return open(log_path).read() if os.path.exists(log_path) else ""
        if not wait_for(lambda: "watching" in log(), 60):
            raise RuntimeError("the agent did not start:\n" + log()[-3000:])
        agent_pid = int(open(os.path.join(d, "agent.pid")).read())

        # The rules work on an ordinary process, in the kernel and from user space.
        plain = subprocess.run([victim, os.path.join(d, "plain.marker")])
        if plain.returncode != -9:
            failures.append(f"a plain child exec'ing the victim exited {plain.returncode}, not -9")
        cat = subprocess.Popen(["sh", "-c", f'exec 3< "{touch}"; sleep 5'])
        if cat.wait(timeout=10) != -9:
            failures.append(f"a plain child opening TOUCH exited {cat.returncode}, not -9")

        # This process is the agent's grandparent: it opens TOUCH and must live on.
        with open(touch) as f:
            f.read()
        # The agent opens its own policy file at a reload.
        os.kill(agent_pid, signal.SIGHUP)
        if not wait_for(lambda: "active (SIGHUP)" in log()):
            failures.append("the reload did not complete")
        # The wrapper shell, the agent's parent, execs the victim: the kernel must not kill it.
        open(os.path.join(d, "go"), "w").close()
        if not wait_for(lambda: os.path.exists(os.path.join(d, "wrapper.marker"))):
            failures.append("the agent's parent was killed at exec (no marker)")
        time.sleep(1)
        alerts = read_alerts(ctx.alerts_path)
        try:
            os.kill(agent_pid, 0)
        except ProcessLookupError:
            failures.append("the agent is dead")
        by_kernel = [a for a in alerts if a["rule"] == "kill_exec_victim"
                     and a.get("killed_by") == "kernel"]
        if not by_kernel:
            failures.append("no kernel kill of the plain victim")
        check(failures, alerts, "kill_open_touch", os.getpid(), "none",
              "protected: it is an ancestor of vigil")
        check(failures, alerts, "kill_open_policy", agent_pid, "none",
              "protected: it is vigil itself")
        check(failures, alerts, "kill_exec_victim", wrapper.pid, "none",
              "protected: it is an ancestor of vigil")
        if not [a for a in alerts if a["rule"] == "kill_open_touch"
                and a.get("killed_by") == "user"]:
            failures.append("no user-space kill of the plain child opening TOUCH")
        if "but it is protected" not in log():
            failures.append("the protected kills are not logged")
        print([(a["rule"], a["event"]["proc"]["pid"], a.get("killed_by"), a.get("not_killed"))
               for a in alerts])
    finally:
        if agent_pid:
            try:
                os.kill(agent_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            wait_for(lambda: not os.path.exists(f"/proc/{agent_pid}"), 20)
        open(os.path.join(d, "stop"), "w").close()
        open(os.path.join(d, "go"), "w").close()
        if wrapper:
            try:
                wrapper.wait(timeout=10)
            except subprocess.TimeoutExpired:
                wrapper.kill()
                wrapper.wait()
        if failures:
            print("---- agent log ----")
            print(open(os.path.join(d, "agent.log")).read()[-4000:])
        shutil.rmtree(d, ignore_errors=True)

    # Audit mode: nothing is killed, every kill alert says "would kill".
    audit = harness.Agent(vigil, "", extra_args=["--kill-audit"])
    victim = os.path.join(audit.dir, "vigil-e2e-victim")
    write_script(victim, VICTIM)
    audit.write_policy(POLICY.format(victim=victim, touch="/vigil-e2e-none",
                                     policy="/vigil-e2e-none"))
    with audit as agent:
        marker = os.path.join(agent.dir, "audit.marker")
        run = subprocess.run([victim, marker])
        if run.returncode != 0 or not os.path.exists(marker):
            failures.append(f"--kill-audit: the victim was killed ({run.returncode})")
        alerts = agent.wait_alerts(1)
        if [(a.get("killed_by"), a.get("not_killed")) for a in alerts] != \
                [("none", "would kill: audit mode (--kill-audit)")]:
            failures.append(f"--kill-audit alerts: {alerts}")
        agent.stop()
        if "kills_audited=1" not in harness.final_stats(agent.log_text()):
            failures.append("kills_audited is not counted")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
