#!/usr/bin/env python3
"""What the container's OCI spec says, under the real agent, with a real runc container: a
privileged container (CAP_SYS_ADMIN, every device) sharing the host's network, its image and
digest and pod labels in CRI-O's annotations, its root an overlay mount, its own /etc/passwd.
Every exec alert from inside carries container.image, container.image_digest,
container.privileged, container.host_namespaces, k8s.pod.labels, user.name from the container's
passwd, host.name, proc.vpid (not the host pid) and proc.cwd; a binary copied into the container
and run is in the upper layer (proc.is_exe_upper_layer), the image's busybox is not. A second,
default container is not privileged and shares no namespace but user and cgroup."""
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "agent"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from runc_container import RuncContainer  # noqa: E402

POLICY = """
rule container_exec {
  desc "an exec inside a container"
  severity low
  tags [e2e]
  on exec
  when container.id != ""
  output "{proc.exe} {container.image}"
}
test container_exec { alert exec { container.id: "abc" } quiet exec { container.id: "" } }
policy e2e { rules [tag:e2e] }
"""

IMAGE = "quay.io/shop/web:1.4"
DIGEST = "sha256:" + "ab" * 32

if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    annotations = {
        "io.kubernetes.cri-o.ImageName": IMAGE,
        "io.kubernetes.cri-o.ImageRef": "quay.io/shop/web@" + DIGEST,
        "io.kubernetes.cri-o.Labels": '{"app":"web","tier":"front"}',
    }
    passwd = "croot:x:0:0:container root:/root:/bin/sh\n"
    with harness.Agent(vigil, POLICY) as agent, \
            RuncContainer(annotations=annotations, privileged=True, host_network=True,
                          overlay=True, passwd=passwd) as c, \
            RuncContainer(name_prefix="vigil-e2e-plain") as plain:
        out = c.run("/bin/busybox cp /bin/busybox /tmp/busybox && /tmp/busybox cat /etc/hostname"
                    " && cat /etc/hostname")
        if out.returncode != 0:
            failures.append(f"runc exec failed: {out.stderr}")
        plain.run("cat /etc/hostname")
        deadline = time.time() + 10
        want_exes = {"/tmp/busybox", "/bin/busybox"}
        while time.time() < deadline:
            alerts = agent.alerts()
            mine = [a["event"] for a in alerts if a["event"].get("container", {}).get("id") == c.id]
            others = [a["event"] for a in alerts
                      if a["event"].get("container", {}).get("id") == plain.id]
            if want_exes <= {e["proc"]["exe"] for e in mine} and others:
                break
            time.sleep(0.1)
        print(f"{len(mine)} exec alerts from the privileged container, {len(others)} from the plain one")
        by_exe = {}
        for ev in mine:
            by_exe.setdefault(ev["proc"]["exe"], []).append(ev)
            cont = ev.get("container", {})
            checks = [
                ("container.image", cont.get("image"), IMAGE),
                ("container.image_digest", cont.get("image_digest"), DIGEST),
                ("container.privileged", cont.get("privileged"), True),
                ("container.host_namespaces", cont.get("host_namespaces"), ["net", "user", "cgroup"]),
                ("k8s.pod.labels", ev.get("k8s", {}).get("pod", {}).get("labels"),
                 ["app=web", "tier=front"]),
                ("user.name", ev.get("user", {}).get("name"), "croot"),
                ("host.name", ev.get("host", {}).get("name"), socket.gethostname()),
                ("proc.cwd", ev["proc"].get("cwd"), "/"),
            ]
            for what, got, want in checks:
                if got != want:
                    failures.append(f"{ev['proc']['exe']} {ev['proc'].get('args')}: {what} {got!r} != {want!r}")
            vpid = ev["proc"].get("vpid")
            if not vpid or vpid == ev["proc"]["pid"]:
                failures.append(f"{ev['proc']['exe']}: proc.vpid {vpid} should be the pid inside "
                                f"the container, not the host's {ev['proc']['pid']}")
        dropped = by_exe.get("/tmp/busybox", [])
        image = [e for e in by_exe.get("/bin/busybox", [])]
        if not dropped:
            failures.append("no alert for the copied binary /tmp/busybox")
        if not image:
            failures.append("no alert for the image's /bin/busybox")
        for ev in dropped:
            if ev["proc"].get("is_exe_upper_layer") is not True:
                failures.append(f"/tmp/busybox: proc.is_exe_upper_layer {ev['proc'].get('is_exe_upper_layer')!r}")
        for ev in image:
            if ev["proc"].get("is_exe_upper_layer") is not False:
                failures.append(f"/bin/busybox: proc.is_exe_upper_layer {ev['proc'].get('is_exe_upper_layer')!r}")
        if not others:
            failures.append("no alert from the plain container")
        for ev in others:
            cont = ev.get("container", {})
            if cont.get("privileged") is not False or cont.get("host_namespaces") != ["user", "cgroup"]:
                failures.append(f"plain container: privileged {cont.get('privileged')!r}, "
                                f"host_namespaces {cont.get('host_namespaces')!r}")
            if "image" in cont:
                failures.append(f"plain container has an image {cont['image']!r}")
            if ev.get("user", {}).get("name") is not None:
                # busybox rootfs without /etc/passwd: uid 0 has no name there
                failures.append(f"plain container: user.name {ev['user']['name']!r} without a passwd file")
            if "is_exe_upper_layer" in ev["proc"]:
                failures.append("plain container (no overlay root): is_exe_upper_layer should be absent")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
