#!/usr/bin/env python3
"""Issue 18 in the running agent: Sigma's Linux rules, imported by `vigil import sigma` from the
corpus (never copied into the project), load into `vigil run` together with the built-in library,
and converted rules fire on real processes: a file created under a rootkit's lock-file name and
persistence name (file_event) and a program named auditctl run with -D (process_creation). An
unrelated file and program stay quiet for those rules."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

# Sigma ids of the rules this test triggers.
LOCK_FILE = "c0239255-822c-4630-b7f1-35362bcb8f44"     # TargetFilename: '/tmp/rootlog'
PERSISTENCE = "1a2ea919-d11d-4d1e-8535-06cda13be20f"   # TargetFilename|endswith: 'ebpfbackdoor'
AUDITCTL = "bed26dea-4525-47f4-b24a-76e30e44ffb0"      # Image|endswith: /auditctl, -D

POLICY = "policy e2e_sigma { rules [tag:sigma] }\n"


def create(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.close(fd)


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    corpus = harness.shared_corpus(os.path.join("sigma", "linux"))
    if corpus is None:
        print("FAIL: the Sigma corpus (../shared/corpora/sigma/linux) is missing")
        sys.exit(1)
    failures = []
    work = tempfile.mkdtemp(prefix="vigil-e2e-sigma-", dir="/tmp")
    os.chmod(work, 0o755)
    lock_existed = os.path.exists("/tmp/rootlog")
    try:
        out = os.path.join(work, "sigma.vgl")
        report_path = os.path.join(work, "report.json")
        subprocess.run([vigil, "import", "sigma", corpus, "-o", out, "--report", "json",
                        "--report-file", report_path], check=True)
        report = json.load(open(report_path))
        names = {r["id"]: r.get("vigil_rule") for r in report["rules"]}
        wanted = {LOCK_FILE: None, PERSISTENCE: None, AUDITCTL: None}
        for sigma_id in wanted:
            wanted[sigma_id] = names.get(sigma_id)
            if not wanted[sigma_id]:
                failures.append(f"Sigma rule {sigma_id} was not converted")
        policy = os.path.join(work, "policy.vgl")
        with open(policy, "w") as f:
            f.write(POLICY)
        if not failures:
            ctx = harness.Agent(vigil, "", policy_paths=["rules/", out, policy])
            with ctx as agent:
                # Quiet for the three rules: another file, another program.
                create(os.path.join(work, "harmless.txt"))
                subprocess.run(["/bin/true", "-D"], check=True)
                time.sleep(0.5)
                # The rules' events, for real.
                if not lock_existed:
                    create("/tmp/rootlog")
                else:
                    os.utime("/tmp/rootlog")
                    fd = os.open("/tmp/rootlog", os.O_WRONLY | os.O_CREAT)
                    os.close(fd)
                create(os.path.join(work, "ebpfbackdoor"))
                auditctl = os.path.join(work, "auditctl")
                shutil.copy("/bin/true", auditctl)  # harmless: /bin/true under the name
                subprocess.run([auditctl, "-D"], check=True)
                deadline = time.time() + 15
                fired = {}
                while time.time() < deadline:
                    alerts, _ = harness.split_loss_reports(agent.alerts())
                    fired = {}
                    for a in alerts:
                        fired.setdefault(a.get("rule"), []).append(a)
                    if all(n in fired for n in wanted.values()):
                        break
                    time.sleep(0.2)
                for sigma_id, name in wanted.items():
                    if name not in fired:
                        failures.append(f"{name} (Sigma {sigma_id}) did not fire; fired: "
                                        f"{sorted(k for k in fired if k)}")
                # The quiet actions did not fire them.
                for a in fired.get(wanted[AUDITCTL], []):
                    exe = a.get("event", {}).get("proc", {}).get("exe", "")
                    if exe != auditctl:
                        failures.append(f"{wanted[AUDITCTL]} fired for {exe}")
                for a in fired.get(wanted[PERSISTENCE], []):
                    path = a.get("event", {}).get("file", {}).get("path", "")
                    if not path.endswith("ebpfbackdoor"):
                        failures.append(f"{wanted[PERSISTENCE]} fired for {path}")
                print(f"fired: {sorted(n for n in wanted.values() if n in fired)}")
    finally:
        if not lock_existed and os.path.exists("/tmp/rootlog"):
            os.unlink("/tmp/rootlog")
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("PASS: converted Sigma rules loaded with the library and fired on real events")
    sys.exit(1 if failures else 0)
