#!/usr/bin/env python3
"""Checks the shipped deployment files (issue 17): every Kubernetes manifest is valid YAML
(python3-yaml) with the fields a fleet needs, the ConfigMap holds the repository's rules and
default policy exactly (scripts/make_configmap.py) and lints clean as one set, and the systemd
unit is Type=notify with a restart limit. Usage: check_manifests.py VIGIL"""
import configparser
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import make_configmap  # noqa: E402

vigil = sys.argv[1]
failures = []


def check(cond, message):
    if not cond:
        failures.append(message)


k8s = os.path.join(ROOT, "examples", "deploy", "k8s")
docs = {}
for name in sorted(os.listdir(k8s)):
    if name.endswith(".yaml"):
        with open(os.path.join(k8s, name)) as f:
            try:
                docs[name] = [d for d in yaml.safe_load_all(f) if d is not None]
            except yaml.YAMLError as e:
                failures.append(f"{name}: not valid YAML: {e}")
objects = {(d.get("kind"), d["metadata"]["name"]): d for ds in docs.values() for d in ds}
for (kind, name), d in objects.items():
    check(d.get("apiVersion") and kind, f"{name}: apiVersion and kind are required")

# The ConfigMap: the rules and the policy, as in the repository, loading clean together.
cm = objects.get(("ConfigMap", "vigil-policies"))
check(cm is not None, "no ConfigMap vigil-policies")
if cm:
    with open(os.path.join(k8s, "configmap.yaml")) as f:
        check(f.read() == make_configmap.render(),
              "configmap.yaml differs from rules/*.vgl + policies/default.vgl: run "
              "scripts/make_configmap.py (make docs)")
    data = cm["data"]
    check("default.vgl" in data and any(k != "default.vgl" for k in data),
          f"the ConfigMap must hold the rules and the policy; it holds {sorted(data)}")
    with tempfile.TemporaryDirectory() as tmp:
        for key, text in data.items():
            with open(os.path.join(tmp, key), "w") as f:
                f.write(text)
        run = subprocess.run([vigil, "lint", "--werror", tmp], capture_output=True, text=True)
        check(run.returncode == 0, "the ConfigMap's files do not lint clean as one set:\n" +
              run.stdout[-2000:] + run.stderr[-2000:])

# The DaemonSet.
ds = objects.get(("DaemonSet", "vigil"))
check(ds is not None, "no DaemonSet vigil")
if ds:
    pod = ds["spec"]["template"]["spec"]
    check(pod.get("automountServiceAccountToken") is False,
          "automountServiceAccountToken must be false")
    check(pod.get("hostPID") is True, "hostPID must be true")
    pc = pod.get("priorityClassName")
    check(pc in ("system-node-critical", "system-cluster-critical") or
          ("PriorityClass", pc) in objects, f"priorityClassName {pc!r} is not defined")
    [c] = pod["containers"]
    env = {e["name"]: e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
           for e in c.get("env", [])}
    args = c["args"]
    port = next((p for p in c.get("ports", []) if p.get("name") == "metrics"), None)
    check(port is not None, "no container port named metrics")
    metrics = [a for a in args if a.startswith("--metrics=")]
    check(port and metrics == [f"--metrics=$(POD_IP):{port['containerPort']}"],
          f"--metrics must listen on the pod's IP and the metrics port: {metrics}")
    check(env.get("POD_IP") == "status.podIP", "POD_IP must come from the downward API")
    check("--host-name=$(NODE_NAME)" in args and env.get("NODE_NAME") == "spec.nodeName",
          "the host name must be the node's, from the downward API (spec.nodeName)")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"),
                        ("startupProbe", "/healthz")):
        get = c.get(probe, {}).get("httpGet", {})
        check(get.get("path") == path and get.get("port") == "metrics",
              f"{probe} must GET {path} on the metrics port: {c.get(probe)}")
    res = c.get("resources", {})
    for kind in ("requests", "limits"):
        check(set(res.get(kind, {})) >= {"cpu", "memory"}, f"resources.{kind} needs cpu and memory")
    # The policy folder is the ConfigMap volume, mounted read-only (the permission check
    # accepts the kubelet's 0777 volume root only on a read-only mount).
    policy = [a.split("=", 1)[1] for a in args if a.startswith("--policy=")]
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    check(len(policy) == 1 and policy[0] in mounts, f"--policy {policy} is not a mounted volume")
    if len(policy) == 1 and policy[0] in mounts:
        m = mounts[policy[0]]
        check(m.get("readOnly") is True, "the policy volume must be mounted read-only")
        check(volumes[m["name"]].get("configMap", {}).get("name") == "vigil-policies",
              "the policy volume must be the vigil-policies ConfigMap")
    check(ds["metadata"]["namespace"] == cm["metadata"]["namespace"] if cm else True,
          "the DaemonSet and the ConfigMap must share a namespace")

# The systemd unit.
unit = configparser.ConfigParser(strict=False, interpolation=None)
unit.optionxform = str
unit.read(os.path.join(ROOT, "examples", "deploy", "vigil.service"))
check(unit.get("Service", "Type", fallback="") == "notify", "vigil.service: Type=notify")
check(unit.get("Service", "NotifyAccess", fallback="") == "main", "vigil.service: NotifyAccess=main")
check(unit.get("Unit", "StartLimitIntervalSec", fallback="") and
      unit.get("Unit", "StartLimitBurst", fallback=""),
      "vigil.service: StartLimitIntervalSec and StartLimitBurst in [Unit]")
check(unit.get("Service", "Restart", fallback="") == "on-failure", "vigil.service: Restart=on-failure")

# systemd's own parser, where installed: no unknown key or bad value (it only warns).
analyze = shutil.which("systemd-analyze")
if analyze:
    with tempfile.TemporaryDirectory() as tmp:
        text = open(os.path.join(ROOT, "examples", "deploy", "vigil.service")).read()
        with open(os.path.join(tmp, "vigil.service"), "w") as f:
            f.write(text.replace("/usr/local/bin/vigil", os.path.abspath(vigil)))
        run = subprocess.run([analyze, "verify", os.path.join(tmp, "vigil.service")],
                             capture_output=True, text=True)
        check(run.returncode == 0 and not run.stderr.strip(),
              "systemd-analyze verify vigil.service:\n" + run.stderr)

if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"{len(objects)} Kubernetes objects and vigil.service checked")
