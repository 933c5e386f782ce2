#!/usr/bin/env python3
"""The pending cache (FIELD-LESSONS 5) under the real agent. The pod metadata source is slowed on
purpose: the agent reads runc state from a folder where the container's state appears only
300 ms after its first event. (a) The event waits, then resolves: its alert carries the pod and is
complete. (b) With the retry bound lowered and the metadata never appearing, the alert goes out
marked incomplete, without the pod; nothing is dropped."""
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "agent"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from runc_container import RuncContainer  # noqa: E402

POLICY = """
rule hostname_read {
  desc "someone in a container read /etc/hostname"
  severity low
  tags [e2e]
  on open
  when file.path == "/etc/hostname" and open.read and container.id != ""
  output "{proc.name} {k8s.ns}/{k8s.pod.name}"
}
test hostname_read { alert open { file.path: "/etc/hostname", open.read: true, container.id: "c" } quiet open { file.path: "/x", open.read: true } }
policy e2e { rules [tag:e2e] }
"""


def wait_alerts(agent, n, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline and len(agent.alerts()) < n:
        time.sleep(0.05)
    return agent.alerts()


def run_case(vigil, retries, publish_after, failures, label):
    private_root = tempfile.mkdtemp(prefix="vigil-e2e-runc-", dir="/var/lib")  # where runc keeps state
    visible_root = tempfile.mkdtemp(prefix="vigil-e2e-seen-", dir="/var/lib")  # where vigil looks
    args = ["--runc-root", visible_root, "--pending-retries", str(retries), "--pending-interval-ms", "100"]
    try:
        with RuncContainer(runc_root=private_root, cri_id=True) as c, harness.Agent(vigil, POLICY, args) as agent:
            start = time.time()
            out = c.run("cat /etc/hostname > /dev/null")
            if out.returncode != 0:
                failures.append(f"{label}: runc exec failed: {out.stderr}")
            if publish_after is not None:
                time.sleep(publish_after)
                os.symlink(os.path.join(private_root, c.id), os.path.join(visible_root, c.id))
            alerts = wait_alerts(agent, 1)
            took = time.time() - start
            status = agent.status()["stats"]
            if len(alerts) != 1:
                failures.append(f"{label}: expected one alert, got {len(alerts)}")
                return
            a = alerts[0]
            pod = a["event"].get("k8s", {}).get("pod", {}).get("name")
            print(f"{label}: alert after {took:.2f} s, incomplete={a['incomplete']}, pod={pod}; "
                  f"{status[status.find('pending'):].split(';')[0]}")
            return a, pod
    finally:
        import shutil
        shutil.rmtree(private_root, ignore_errors=True)
        shutil.rmtree(visible_root, ignore_errors=True)


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    got = run_case(vigil, retries=20, publish_after=0.3, failures=failures, label="slowed, resolves")
    if got:
        a, pod = got
        if a["incomplete"] or pod != "web-7f9c":
            failures.append(f"slowed metadata: want a complete alert with the pod, got incomplete={a['incomplete']} pod={pod}")
    got = run_case(vigil, retries=1, publish_after=None, failures=failures, label="bound lowered")
    if got:
        a, pod = got
        if not a["incomplete"] or pod:
            failures.append(f"retry bound: want an incomplete alert without the pod, got incomplete={a['incomplete']} pod={pod}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
