#!/usr/bin/env python3
"""`vigil run --policy DIR` on a Kubernetes ConfigMap volume (issue 17). The test builds the
kubelet's atomic-writer layout exactly (pkg/volume/util/atomic_writer.go): the volume root an
emptyDir made 0777, the files in a timestamped directory `..YYYY_MM_DD_HH_MM_SS.NNNN` (0755),
`..data -> ..<timestamp>` and one visible link per file `x.vgl -> ..data/x.vgl`; the container
sees it through a read-only bind mount, as kubelet mounts ConfigMap volumes. The agent must start
on it as shipped (no --allow-insecure-perms), load each file once under its visible name, alert
by the first policy; then the test updates the volume the way kubelet does (a new timestamped
directory, a `..data_tmp` link renamed over `..data`, the old directory removed), and the agent
must reload and alert by the new policy only."""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

POLICY = "policy e2e {{ desc \"{label}\" rules [tag:e2e] }}\n"


def new_timestamp_dir(root):
    """As AtomicWriter.newTimestampDir: os.MkdirTemp(root, "..2006_01_02_15_04_05.") then 0755."""
    stamp = time.strftime("..%Y_%m_%d_%H_%M_%S.", time.gmtime())
    while True:
        path = os.path.join(root, stamp + str(random.randrange(10**9)))
        try:
            os.mkdir(path)
            break
        except FileExistsError:
            continue
    os.chmod(path, 0o755)
    return path


def kubelet_write(root, payload):
    """AtomicWriter.Write: payload {name: text}, each file mode 0644 (the volume's defaultMode)."""
    data = os.path.join(root, "..data")
    old = os.readlink(data) if os.path.islink(data) else None
    ts = new_timestamp_dir(root)
    for name, text in payload.items():
        path = os.path.join(ts, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
    for name in payload:  # visible links, created once
        link = os.path.join(root, name)
        if not os.path.islink(link):
            os.symlink(os.path.join("..data", name), link)
    tmp = os.path.join(root, "..data_tmp")
    os.symlink(os.path.basename(ts), tmp)
    os.rename(tmp, data)  # the atomic swap
    if old:
        shutil.rmtree(os.path.join(root, old))


def target_alerts(agent, label):
    return [a for a in agent.alerts() if a.get("output", "").startswith(label + " ")]


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    volumes = tempfile.mkdtemp(prefix="vigil-e2e-configmap-")
    os.chmod(volumes, 0o755)
    node = os.path.join(volumes, "node")  # the kubelet's side: .../volumes/kubernetes.io~configmap/x
    pod = os.path.join(volumes, "pod")    # the container's mount point
    os.mkdir(node)
    os.mkdir(pod)
    os.chmod(node, 0o777)  # emptyDir's mode
    mounted = False
    failures = []
    try:
        agent_ctx = harness.Agent(vigil, "", policy_paths=[pod])
        target = os.path.join(agent_ctx.dir, "vigil-e2e-target")
        shutil.copy("/bin/true", target)
        kubelet_write(node, {"rules.vgl": harness.exec_rule(target, "A"),
                             "policy.vgl": POLICY.format(label="A")})
        subprocess.run(["mount", "--bind", node, pod], check=True)
        mounted = True
        subprocess.run(["mount", "-o", "remount,bind,ro", pod], check=True)
        if os.stat(pod).st_mode & 0o777 != 0o777:
            failures.append("the volume root is not 0777 as the kubelet makes it")

        with agent_ctx as agent:
            log = agent.log_text()
            if "V007" in log or "..20" in log:
                failures.append("the start loaded a file twice or through the timestamped "
                                "directory:\n" + log[-2000:])
            status = agent.status()
            policies = [p["name"] for p in status.get("policies", [])]
            if policies != ["e2e"]:
                failures.append(f"policies after start: {policies}, expected ['e2e']")
            subprocess.run([target, "first"], check=True)
            if not agent.wait_alerts(1) or not target_alerts(agent, "A"):
                failures.append("no alert from version A")

            # kubelet updates the ConfigMap: the agent reloads on the `..data` swap.
            kubelet_write(node, {"rules.vgl": harness.exec_rule(target, "B"),
                                 "policy.vgl": POLICY.format(label="B")})
            agent.wait_for_log("active (file change)", timeout=30)
            log = agent.log_text()
            if "failed" in log:
                failures.append("a reload failed:\n" + log[-2000:])
            subprocess.run([target, "second"], check=True)
            deadline = time.time() + 10
            while time.time() < deadline and not target_alerts(agent, "B"):
                time.sleep(0.05)
            if not target_alerts(agent, "B"):
                failures.append("no alert from version B after the swap")
            for a in target_alerts(agent, "A"):
                if "second" in a["output"]:
                    failures.append("the second exec was judged by the old policy")
            status = agent.status()
            if status.get("version") != 2 or status["reloads"]["failed"] != 0:
                failures.append(f"status after the swap: version {status.get('version')}, "
                                f"reloads {status.get('reloads')}")
            if failures:
                print(agent.log_text()[-3000:])
    finally:
        if mounted:
            subprocess.run(["umount", "-l", pod])
        shutil.rmtree(volumes, ignore_errors=True)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS: kubelet layout loaded once by visible name, 0777 read-only root accepted, "
          "..data swap reloaded, alerts follow the new policy")
