"""A real OCI container for e2e tests, run with Debian's runc from a tiny root file system the
test builds (busybox-static), its config.json carrying Kubernetes pod annotations and a
kubepods-style cgroupsPath, as the CRI runtimes write them. The context manager removes the
container, its cgroup and its bundle even when the test fails."""
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import uuid

APPLETS = ["sh", "cat", "ls", "mount", "wget", "sleep", "touch", "mkdir", "true", "echo", "rm",
           "apt-get", "kubectl", "docker", "shutdown"]  # names only (busybox has no such applets): package-manager
                                            # and container-client rules


class RuncContainer:
    def __init__(self, name_prefix="vigil-e2e", pod_name="web-7f9c", namespace="shop",
                 extra_files=None, runc_root=None, cri_id=False, annotations=None,
                 privileged=False, host_network=False, overlay=False, passwd=None, args=None):
        # annotations: added to the pod's; privileged: CAP_SYS_ADMIN in the bounding, effective
        # and permitted sets and every device allowed (as docker --privileged); host_network: no network namespace
        # of its own; overlay: the root file system is an overlay mount (an image directory as
        # its lower layer, a writable upper one), as container engines mount it; passwd: the
        # container's /etc/passwd text; args: the entrypoint (default: sleep 300).
        # cri_id: a 64-hex id as CRI runtimes make them, recognisable from the cgroup path alone
        # (other ids are confirmed through the runtime's state folder).
        self.id = uuid.uuid4().hex + uuid.uuid4().hex if cri_id else f"{name_prefix}-{uuid.uuid4().hex[:12]}"
        self.pod_uid = str(uuid.uuid4())
        self.pod_name = pod_name
        self.namespace = namespace
        self.bundle = tempfile.mkdtemp(prefix="vigil-e2e-bundle-", dir="/var/lib")
        self.extra_files = extra_files or {}  # path in rootfs -> host file to copy
        self.runc = ["runc"] + (["--root", runc_root] if runc_root else [])
        self.started = False
        self.annotations = annotations or {}
        self.privileged = privileged
        self.host_network = host_network
        self.overlay = overlay
        self.passwd = passwd
        self.args = args or ["sleep", "300"]
        self.mounted = False
        self.upper = os.path.join(self.bundle, "upper")

    def _build(self):
        rootfs = os.path.join(self.bundle, "lower" if self.overlay else "rootfs")
        for d in ["bin", "proc", "dev", "sys", "tmp", "etc", "mnt", "root"]:
            os.makedirs(os.path.join(rootfs, d), exist_ok=True)
        busybox = shutil.which("busybox") or "/bin/busybox"
        shutil.copy(busybox, os.path.join(rootfs, "bin", "busybox"))
        for applet in APPLETS:
            os.symlink("busybox", os.path.join(rootfs, "bin", applet))
        for inside, host in self.extra_files.items():
            shutil.copy(host, os.path.join(rootfs, inside.lstrip("/")))
        with open(os.path.join(rootfs, "etc", "hostname"), "w") as f:
            f.write(self.pod_name + "\n")
        if self.passwd is not None:
            with open(os.path.join(rootfs, "etc", "passwd"), "w") as f:
                f.write(self.passwd)
        if self.overlay:
            merged = os.path.join(self.bundle, "rootfs")
            work = os.path.join(self.bundle, "work")
            for d in (merged, self.upper, work):
                os.makedirs(d)
            subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                            f"lowerdir={rootfs},upperdir={self.upper},workdir={work}", merged],
                           check=True)
            self.mounted = True
        subprocess.run(["runc", "spec"], cwd=self.bundle, check=True)
        cfg_path = os.path.join(self.bundle, "config.json")
        with open(cfg_path) as f:
            cfg = json.load(f)
        cfg["process"]["terminal"] = False
        cfg["process"]["args"] = self.args
        cfg["root"]["readonly"] = False
        cfg["hostname"] = self.pod_name
        cfg["linux"]["cgroupsPath"] = (
            f"/kubepods/besteffort/pod{self.pod_uid}/{self.id}")
        cfg["annotations"] = {
            "io.kubernetes.pod.name": self.pod_name,
            "io.kubernetes.pod.namespace": self.namespace,
            "io.kubernetes.pod.uid": self.pod_uid,
            "io.kubernetes.container.name": "app",
            "io.kubernetes.cri.container-type": "container",
        }
        cfg["annotations"].update(self.annotations)
        if self.privileged:
            for kind in ("bounding", "effective", "permitted"):
                caps = cfg["process"]["capabilities"].setdefault(kind, [])
                if "CAP_SYS_ADMIN" not in caps:
                    caps.append("CAP_SYS_ADMIN")
            cfg["linux"].setdefault("resources", {})["devices"] = [{"allow": True, "access": "rwm"}]
        if self.host_network:
            cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"]
                                          if n["type"] != "network"]
        with open(cfg_path, "w") as f:
            json.dump(cfg, f, indent=1)

    def build(self):
        """Only the bundle: for a test that starts the container itself (self.run_argv()) and
        still removes it with __exit__ (mark it started first)."""
        self._build()

    def run_argv(self):
        return self.runc + ["run", "-d", "--bundle", self.bundle, self.id]

    def __enter__(self):
        self._build()
        subprocess.run(self.run_argv(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       stdin=subprocess.DEVNULL)
        self.started = True
        return self

    def exec_argv(self, snippet, shell=True):
        """The command line that runs `snippet` with sh inside the container (shell=False: the
        snippet's words run directly, without a shell)."""
        if not shell:
            return self.runc + ["exec", self.id] + shlex.split(snippet)
        return self.runc + ["exec", self.id, "/bin/sh", "-c", snippet]

    def run(self, snippet, timeout=10):
        return subprocess.run(self.exec_argv(snippet), capture_output=True, text=True,
                              timeout=timeout)

    def __exit__(self, *exc):
        if self.started:
            subprocess.run(self.runc + ["kill", self.id, "KILL"], capture_output=True)
            subprocess.run(self.runc + ["delete", "--force", self.id], capture_output=True)
        if self.mounted:
            subprocess.run(["umount", "-l", os.path.join(self.bundle, "rootfs")],
                           capture_output=True)
        shutil.rmtree(self.bundle, ignore_errors=True)
        return False
