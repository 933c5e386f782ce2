#!/usr/bin/env python3
"""Falco rules converted by `vigil import falco` run for real (issue 18): the stable Falco rules
of shared/corpora are imported, loaded into `vigil run` together with the built-in library
(rules/), and four converted rules fire on real activity: grep for private keys ("Search Private
Keys or Passwords"), shred ("Remove Bulk Data from Disk"), a symlink to /etc/shadow ("Create
Symlink Over Sensitive Files") and a program run from /dev/shm ("Execution from /dev/shm")."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

EXPECTED = {
    "falco_search_private_keys_or_passwords": "grep",
    "falco_remove_bulk_data_from_disk": "shred",
    "falco_create_symlink_over_sensitive_files": "ln",
    "falco_execution_from_dev_shm": "vigil-e2e-shm",
}


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    src = harness.shared_corpus(os.path.join("falco", "falco_rules.yaml"))
    if not src:
        print("FAIL: the Falco corpus (shared/corpora/falco) is missing")
        sys.exit(1)
    ctx = harness.Agent(vigil, "")
    imported = os.path.join(ctx.dir, "falco.vgl")
    subprocess.run([vigil, "import", "falco", src, "-o", imported, "--report-file",
                    os.path.join(ctx.dir, "report.txt")], check=True)
    ctx.policy_paths = ["rules", imported]
    shm = "/dev/shm/vigil-e2e-shm"
    failures = []
    with ctx as agent:
        work = os.path.join(agent.dir, "work")
        os.mkdir(work)
        victim = os.path.join(work, "victim")
        with open(victim, "w") as f:
            f.write("data\n")
        subprocess.run(["grep", "-r", "BEGIN PRIVATE", work], capture_output=True)
        subprocess.run(["shred", "-u", victim], check=True)
        subprocess.run(["ln", "-s", "/etc/shadow", os.path.join(work, "shadow-link")], check=True)
        shutil.copy("/bin/true", shm)
        try:
            subprocess.run([shm], check=True)
        finally:
            os.unlink(shm)
        want = set(EXPECTED)
        seen = {}
        for _ in range(100):
            alerts = agent.wait_alerts(len(want), timeout=0.2)
            for a in alerts:
                if a.get("rule") in want:
                    seen.setdefault(a["rule"], a)
            if set(seen) == want:
                break
        for rule, proc in EXPECTED.items():
            a = seen.get(rule)
            if not a:
                failures.append(f"no alert of {rule}")
                continue
            name = a.get("event", {}).get("proc", {}).get("name", "")
            print(f"{rule}: {a.get('severity')} {name}: {a.get('output')}")
            if proc not in name and proc not in str(a.get("output")):
                failures.append(f"{rule} fired for {name}, expected {proc}: {a}")
        falco_alerts = [a for a in agent.alerts() if str(a.get("rule", "")).startswith("falco_")]
        print(f"{len(falco_alerts)} alerts of converted Falco rules in all")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
