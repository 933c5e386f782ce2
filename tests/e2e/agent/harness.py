"""Runs the real agent (build/vigil run) for an e2e test, as root, and cleans up after itself:
the agent is stopped (SIGTERM, then SIGKILL), its scratch folder removed, even when the test
fails. Tests that need root and BPF skip (exit 77, ctest SKIP_RETURN_CODE) unless
VIGIL_REQUIRE_BPF=1, when they fail instead."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77


def require_root_and_bpf():
    reason = None
    if os.geteuid() != 0:
        reason = "needs root"
    elif not os.path.exists("/sys/kernel/btf/vmlinux"):
        reason = "needs a kernel with BTF"
    if reason:
        if os.environ.get("VIGIL_REQUIRE_BPF") == "1":
            print(f"FAIL: {reason}, and VIGIL_REQUIRE_BPF=1")
            sys.exit(1)
        print(f"SKIP: {reason}")
        sys.exit(SKIP)


class Agent:
    """Context manager: a scratch folder plus a running `vigil run` on policy files in it."""

    def __init__(self, vigil, policy_text, extra_args=(), policy_paths=None, scratch_parent=None,
                 outputs=None, stdout=None):
        """policy_text goes to a policy file in the scratch folder; or give policy_paths to
        load existing files (the repository's rules, for instance). outputs: the --output specs
        (default: file:ALERTS, the alerts_path); stdout: where the agent's stdout goes (default:
        nowhere)."""
        self.vigil = os.path.abspath(vigil)
        self.extra_args = list(extra_args)
        self.dir = tempfile.mkdtemp(prefix="vigil-e2e-agent-", dir=scratch_parent)
        os.chmod(self.dir, 0o755)
        self.policy = os.path.join(self.dir, "policy.vgl")
        self.policy_paths = policy_paths or [self.policy]
        self.alerts_path = os.path.join(self.dir, "alerts.jsonl")
        self.log_path = os.path.join(self.dir, "agent.log")
        self.socket = os.path.join(self.dir, "control.sock")
        self.outputs = outputs
        self.stdout = stdout
        if policy_paths is None:
            self.write_policy(policy_text)
        self.proc = None

    def write_policy(self, text, atomic=True):
        """Writes the policy the way editors do: a new file renamed over the old one."""
        tmp = self.policy + ".tmp"
        with open(tmp if atomic else self.policy, "w") as f:
            f.write(text)
        if atomic:
            os.chmod(tmp, 0o644)
            os.rename(tmp, self.policy)
        else:
            os.chmod(self.policy, 0o644)

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [self.vigil, "run"] + [a for p in self.policy_paths for a in ("--policy", p)] +
            [a for o in (self.outputs or ["file:" + self.alerts_path]) for a in ("--output", o)] +
            ["--control-socket", self.socket, "--stats-interval", "3600"] + self.extra_args,
            stdout=self.stdout if self.stdout is not None else subprocess.DEVNULL, stderr=self.log)
        try:
            self.wait_for_log("watching", timeout=60)
        except BaseException:
            # __exit__ does not run when __enter__ fails: clean up here.
            self.stop()
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        if exc[0] is not None:
            print("---- agent log ----")
            print(open(self.log_path).read()[-4000:])
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "log"):
            self.log.close()

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_for_log(self, needle, timeout=30, count=1):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the agent exited early:\n" + self.log_text()[-4000:])
            if self.log_text().count(needle) >= count:
                return
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for '{needle}' x{count} in the agent log:\n" +
                           self.log_text()[-4000:])

    def wait_alerts(self, n, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.alerts()) < n:
            time.sleep(0.05)
        return self.alerts()

    def alerts(self):
        if not os.path.exists(self.alerts_path):
            return []
        with open(self.alerts_path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def status(self):
        out = subprocess.run([self.vigil, "status", "--json", "--control-socket", self.socket],
                             capture_output=True, text=True, timeout=30)
        return json.loads(out.stdout)


def agent_with_target(vigil, **kwargs):
    """An Agent (not started) and a copy of /bin/true in its scratch folder, vigil-e2e-target: a
    program of a known path the test's policy can name."""
    ctx = Agent(vigil, "", **kwargs)
    target = os.path.join(ctx.dir, "vigil-e2e-target")
    shutil.copy("/bin/true", target)
    return ctx, target


def final_stats(log):
    """The agent's last stats line ("final stats: ...") from its log, or ''."""
    lines = [line for line in log.splitlines() if "final stats:" in line]
    return lines[-1] if lines else ""


LOSS_RULE = "vigil:loss"


def split_loss_reports(alerts):
    """(rule alerts, the agent's loss reports) of an alert list."""
    return ([a for a in alerts if a.get("rule") != LOSS_RULE],
            [a for a in alerts if a.get("rule") == LOSS_RULE])


def loss_reports_written(stats_line):
    """How many loss reports the agent emitted (to every output), from a stats line."""
    import re
    m = re.search(r"\bloss_reports=(\d+)", stats_line)
    return int(m.group(1)) if m else None


def sink_stats(stats_line, name):
    """{written, dropped, failed} of output `name` in a stats line."""
    import re
    m = re.search(r"sink " + re.escape(name) + r" written=(\d+) dropped=(\d+) failed=(\d+)",
                  stats_line)
    if not m:
        return None
    return {"written": int(m.group(1)), "dropped": int(m.group(2)), "failed": int(m.group(3))}


EXEC_RULE = """
rule exec_of_target {{
  desc "the e2e target ran"
  severity {severity}
  tags [e2e]
  on exec
  when {field} == "{target}"
  output "{label} {{proc.cmdline}}"
}}
test exec_of_target {{ alert exec {{ {field}: "{target}" }} quiet exec {{ {field}: "/bin/true" }} }}
"""


def exec_rule(target, label="target", severity="low", field="proc.exe"):
    """Rule `exec_of_target` (tag e2e): every exec of `target`, the alert's output starting with
    `label` (tests that change the policy tell its versions apart by it)."""
    return EXEC_RULE.format(target=target, label=label, severity=severity, field=field)


def open_of_marker_rule(marker):
    """A rule (and its test) alerting on opens of the file `marker`; tagged e2e."""
    return f"""
rule open_of_marker {{
  desc "the e2e marker file was opened"
  severity medium
  tags [e2e]
  on open
  when file.path == "{marker}"
  output "{{proc.name}} opened {{file.path}}"
}}
test open_of_marker {{ alert open {{ file.path: "{marker}" }} quiet open {{ file.path: "/etc/hosts" }} }}
"""


def exec_policy(target, severity="high", action="alert"):
    """A policy alerting (or acting) on every exec of `target`."""
    return exec_rule(target, severity=severity) + \
        f"policy e2e {{ rules [tag:e2e] action {action} }}\n"


def shared_corpus(relative):
    """A path under the third-party corpora (next to the checkout: ../shared/corpora, as in CI;
    else /work/shared/corpora), or None when it is missing. Tests read them there, never copied."""
    project = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
    for base in (os.path.join(project, "..", "shared", "corpora"), "/work/shared/corpora"):
        path = os.path.join(base, relative)
        if os.path.exists(path):
            return path
    return None
