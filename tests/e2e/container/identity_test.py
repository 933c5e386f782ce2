#!/usr/bin/env python3
"""Container and pod identity (process tree): a real runc container whose config.json carries
Kubernetes pod annotations and a kubepods cgroupsPath. Every alert from inside it carries the
container id, the pod name and the namespace, including one raised by a child that was forked
and never exec'd (a subshell that opens a file), and processes outside carry none."""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "agent"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from runc_container import RuncContainer  # noqa: E402

POLICY = """
rule hostname_read {
  desc "someone read /etc/hostname"
  severity low
  tags [e2e]
  on open
  when file.path == "/etc/hostname" and open.read
  output "{proc.name} {container.id} {k8s.ns}/{k8s.pod.name}"
}
test hostname_read { alert open { file.path: "/etc/hostname", open.read: true } quiet open { file.path: "/x", open.read: true } }
policy e2e { rules [tag:e2e] }
"""

if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    with harness.Agent(vigil, POLICY) as agent, RuncContainer() as c:
        # An exec'd reader, then a subshell that only forks (no exec) and opens the file.
        out = c.run("cat /etc/hostname > /dev/null; ( : < /etc/hostname ); sleep 0.2")
        if out.returncode != 0:
            failures.append(f"runc exec failed: {out.stderr}")
        os.system("cat /etc/hostname > /dev/null")  # the host's own read
        deadline = time.time() + 10
        while time.time() < deadline:
            alerts = agent.alerts()
            inside = [a for a in alerts if a["event"].get("container", {}).get("id") == c.id]
            host = [a for a in alerts if not a["event"].get("container", {}).get("id")]
            # Wait for all three: the host's read can be delivered after the container's two.
            if host and len(inside) >= 2 and any(a["event"]["proc"]["name"] != "cat" for a in inside):
                break
            time.sleep(0.1)
        alerts = agent.alerts()
        inside = [a for a in alerts if a["event"].get("container", {}).get("id")]
        host = [a for a in alerts if not a["event"].get("container", {}).get("id")]
        names = sorted(a["event"]["proc"]["name"] for a in inside)
        print(f"{len(inside)} alerts from the container ({names}), {len(host)} from the host")
        if not any(n == "cat" for n in names):
            failures.append("no alert from the exec'd reader (cat) inside the container")
        if not any(n == "sh" for n in names):
            failures.append("no alert from the forked, never exec'd subshell inside the container")
        for a in inside:
            ev = a["event"]
            if ev["container"]["id"] != c.id:
                failures.append(f"container id {ev['container']['id']} != {c.id}")
            k8s = ev.get("k8s", {})
            if k8s.get("pod", {}).get("name") != c.pod_name or k8s.get("ns") != c.namespace:
                failures.append(f"{ev['proc']['name']}: pod metadata {k8s} != {c.namespace}/{c.pod_name}")
            if k8s.get("pod", {}).get("uid") != c.pod_uid:
                failures.append(f"{ev['proc']['name']}: pod uid {k8s.get('pod', {}).get('uid')} != {c.pod_uid}")
        if not host:
            failures.append("the host's read raised nothing (the rule should fire there too)")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
