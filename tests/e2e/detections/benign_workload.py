#!/usr/bin/env python3
"""The benign workload corpus: realistic administration, development and CI work on this host,
under the real agent with the whole rule library and the default policy (what `make run`
loads). It must raise no high or critical alert. Medium and low alerts are counted and printed,
and each rule that raises one must be justified in docs/coverage.md ("Benign workload"): a new
noisy rule fails this test until it is quietened or explained.

Each piece of work runs under its own launcher (a copy of /bin/sh named vgl-bNN, lineage.py), so
its alerts are attributed by lineage, and must itself succeed (a workload that failed early would
be quiet for the wrong reason); events the agent lost fail the test for the same reason. Everything it creates (a package, a user, files under /etc and
/var/log, a container) is removed afterwards, also when the test fails."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "agent"))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "container"))
import harness  # noqa: E402
from lineage import Runner, listener  # noqa: E402
from runc_container import RuncContainer  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PY = "/usr/bin/python3"  # the system interpreter, as configuration management calls it
USER = "vigil-e2e-user"
PKG = "vigil-e2e-hello"
LOGDIR = "/var/log/vigil-e2e-app"
CONF = "/etc/vigil-e2e-app.conf"
# Loss report counters that mean events or alerts of the work may be missing (docs/alerts.md).
LOST = ("events_ring_full", "events_inflight_full", "events_undecodable", "alerts_dropped",
        "alerts_failed")

# A configuration-management run in the style of Ansible: the controller runs every step through
# `/bin/sh -c` (home directory, temporary folder, chmod, the module, cleanup), each module is a
# Python program that gathers facts, runs commands and writes a configuration file atomically.
CONFIG_MANAGEMENT = r'''
import json, os, subprocess, sys, time
home = os.path.join(os.environ["S"], "home")
os.makedirs(home, exist_ok=True)
MODULES = {
    "setup": """
import os, platform, subprocess
facts = {"kernel": platform.release(), "host": platform.node()}
for cmd in (["uname", "-a"], ["hostname"], ["id", "-u"], ["ip", "-o", "addr", "show"],
            ["ip", "route", "show"]):
    facts[cmd[0]] = subprocess.run(cmd, capture_output=True, text=True).stdout
for path in ("/etc/os-release", "/proc/cpuinfo", "/proc/meminfo", "/proc/mounts"):
    facts[path] = open(path).read()[:100]
""",
    "shell": """
import subprocess
subprocess.run(["/bin/sh", "-c", "mkdir -p /var/lib/vigil-e2e-app && echo configured > /dev/null"], check=True)
""",
    "copy": """
import os, tempfile
fd, tmp = tempfile.mkstemp(prefix=".ansible_tmp", dir="/etc")
os.write(fd, b"# managed by the benign workload\\nlisten = 127.0.0.1\\n")
os.close(fd)
os.chmod(tmp, 0o644)
os.rename(tmp, "%(conf)s")
""",
    "lineinfile": """
lines = open("%(conf)s").read().splitlines()
lines.append("workers = 2")
open("%(conf)s", "w").write("\\n".join(lines) + "\\n")
""",
}
def sh(cmd):
    subprocess.run(["/bin/sh", "-c", cmd], check=True, stdout=subprocess.DEVNULL)
for n, (name, body) in enumerate(MODULES.items()):
    tmp = "%s/.ansible/tmp/ansible-tmp-%d-%d" % (home, int(time.time()), n)
    sh("echo ~ && sleep 0")
    sh('( umask 77 && mkdir -p "%s/.ansible/tmp" && mkdir "%s" && echo ansible-tmp="%s" ) && sleep 0'
       % (home, tmp, tmp))
    module = tmp + "/AnsiballZ_" + name + ".py"
    with open(module, "w") as f:
        f.write(body % {"conf": "''' + CONF + r'''"})
    sh("chmod u+x %s/ %s && sleep 0" % (tmp, module))
    sh("%s %s && sleep 0" % (sys.executable, module))
    sh("rm -f -r %s/ > /dev/null 2>&1 && sleep 0" % tmp)
'''

# (name, the work: a /bin/sh snippet that must exit 0)
WORKLOADS = [
    ("package: dpkg-deb build, dpkg -i, run, dpkg -r and -P of a local package", f"""set -e
P=$S/pkg; rm -rf $P
mkdir -p $P/DEBIAN $P/usr/bin $P/etc/cron.d $P/lib/systemd/system
printf 'Package: {PKG}\\nVersion: 1.0\\nArchitecture: all\\nMaintainer: vigil e2e <e2e@example.invalid>\\nDescription: benign workload package\\n built and installed by the vigil e2e suite\\n' > $P/DEBIAN/control
printf '/etc/cron.d/{PKG}\\n' > $P/DEBIAN/conffiles
printf '#!/bin/sh\\nset -e\\nif [ "$1" = configure ]; then mkdir -p /var/lib/{PKG}; fi\\nexit 0\\n' > $P/DEBIAN/postinst
printf '#!/bin/sh\\nset -e\\nif [ "$1" = purge ]; then rm -rf /var/lib/{PKG}; fi\\nexit 0\\n' > $P/DEBIAN/postrm
printf '#!/bin/sh\\necho hello\\n' > $P/usr/bin/{PKG}
chmod 755 $P/DEBIAN/postinst $P/DEBIAN/postrm $P/usr/bin/{PKG}
printf '17 3 * * * root /usr/bin/{PKG} > /dev/null\\n' > $P/etc/cron.d/{PKG}
printf '[Unit]\\nDescription=benign workload\\n[Service]\\nType=oneshot\\nExecStart=/usr/bin/{PKG}\\n' > $P/lib/systemd/system/{PKG}.service
dpkg-deb --build --root-owner-group $P $S/{PKG}.deb > /dev/null
dpkg -i $S/{PKG}.deb > /dev/null
/usr/bin/{PKG} > /dev/null
dpkg -r {PKG} > /dev/null
dpkg -P {PKG} > /dev/null
"""),
    ("configuration management: python runs every step through /bin/sh -c (Ansible style)",
     f"{PY} $S/cm.py"),
    ("build: make and cc under /tmp, then run the programs", """set -e
D=$T/build; rm -rf $D; mkdir -p $D; cd $D
printf '#include <stdio.h>\\nint main(void) { puts("ok"); return 0; }\\n' > hello.c
printf 'CFLAGS = -O2 -Wall\\nall: hello\\ntest: hello\\n\\t./hello > /dev/null\\n.PHONY: all test\\n' > Makefile
make -s test
cc -o hello2 hello.c && ./hello2 > /dev/null
ldd ./hello2 > /dev/null
LD_LIBRARY_PATH=$D LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 /bin/true
"""),
    ("git: init, commit, branch, log, clone", """set -e
git init -q $S/repo
cd $S/repo && echo a > a.txt && git add a.txt
git -c user.email=e@example.invalid -c user.name=e commit -q -m init
git branch feature && git log --oneline > /dev/null && git status --short > /dev/null
git clone -q $S/repo $S/clone
"""),
    ("ssh-keygen: a key pair, its fingerprint and public half", """set -e
export HOME=$S/home; mkdir -p $HOME/.ssh; chmod 700 $HOME/.ssh
ssh-keygen -q -t ed25519 -N '' -C e2e -f $HOME/.ssh/id_ed25519
ssh-keygen -l -f $HOME/.ssh/id_ed25519 > /dev/null
ssh-keygen -y -f $HOME/.ssh/id_ed25519 > $S/pub
"""),
    ("backup: tar of a home directory, its SSH keys included", """set -e
tar -C $S -czf $S/home-backup.tgz home
tar -tzf $S/home-backup.tgz > /dev/null
"""),
    ("accounts: useradd, usermod, passwd -l, userdel", f"""set -e
useradd -m -s /bin/sh -c 'benign workload' {USER}
id {USER} > /dev/null
su -s /bin/sh -c 'id -un' {USER} > /dev/null
usermod -a -G users {USER}
passwd -l {USER} > /dev/null
userdel -r {USER} 2> /dev/null
"""),
    ("cron: list the crontab", "crontab -l > /dev/null 2>&1; crontab -u root -l > /dev/null 2>&1; true"),
    ("log rotation: rename, create, compress, age out (twice)", f"""set -e
L={LOGDIR}; mkdir -p $L
for round in 1 2 3; do
  echo "request $round" >> $L/app.log
  for n in 2 1; do [ ! -e $L/app.log.$n.gz ] || mv $L/app.log.$n.gz $L/app.log.$((n+1)).gz; done
  rm -f $L/app.log.3.gz
  mv $L/app.log $L/app.log.1
  touch $L/app.log && chmod 640 $L/app.log
  gzip -9 $L/app.log.1
done
"""),
    ("process listing: ps, top, pgrep, pmap, /proc status and maps of other processes", """set -e
sleep 5 & p=$!
ps aux > /dev/null; ps -eo pid,ppid,rss,args > /dev/null
top -b -n1 > /dev/null
pgrep -a sleep > /dev/null
pmap $p > /dev/null
grep -c r-x /proc/$p/maps > /dev/null
grep -h VmRSS /proc/$p/status > /dev/null
cat /proc/$p/cmdline /proc/$p/stat > /dev/null
kill $p
"""),
    ("debugging: strace and gdb on the programs they start", """set -e
strace -f -o /dev/null /bin/true
strace -c -o /dev/null ls / > /dev/null
gdb -q -batch -ex run --args /bin/true > /dev/null 2>&1
"""),
    ("networking: ip, ss, curl to a loopback HTTP server", """set -e
ip addr show > /dev/null; ip route show > /dev/null; ip -s link > /dev/null
ss -tanp > /dev/null; ss -s > /dev/null
curl -sf -o /dev/null http://127.0.0.1:$HTTP_PORT/
getent hosts localhost > /dev/null
"""),
    ("system status: uptime, df, free, w, who, uname, hostname, bpftool", """set -e
uptime > /dev/null; df -h > /dev/null; free -m > /dev/null; w > /dev/null; who > /dev/null
uname -a > /dev/null; hostname > /dev/null
bpftool prog list > /dev/null
"""),
    ("packages: apt-cache and dpkg-query", """set -e
apt-cache policy bash > /dev/null; apt-cache show coreutils > /dev/null
dpkg-query -W bash > /dev/null; dpkg -L coreutils > /dev/null
"""),
    ("files: ls, cat, sort, tar, update-alternatives", """set -e
ls -la /etc > /dev/null && cat /etc/os-release > /dev/null && sort /etc/passwd > /dev/null
mkdir -p $S/data && echo x > $S/data/x && tar -C $S -czf $S/backup.tgz data
base64 $S/backup.tgz > $S/backup.b64 && base64 -d $S/backup.b64 | tar -tzf - > /dev/null
update-alternatives --quiet --install /usr/local/bin/vigil-e2e-alt vigil-e2e-alt /bin/true 1
update-alternatives --quiet --remove vigil-e2e-alt /bin/true
"""),
    ("container: runc run (a shell entrypoint), exec busybox applets, ps, kill, delete", """set -e
runc run -d --bundle $BUNDLE $CID < /dev/null > /dev/null 2>&1
runc exec $CID ls / > /dev/null
runc exec $CID cat /etc/hostname > /dev/null
runc exec $CID echo ok > /dev/null
runc ps $CID > /dev/null
runc state $CID > /dev/null
runc kill $CID KILL
for i in 1 2 3 4 5 6 7 8 9 10; do runc delete $CID 2> /dev/null && break; sleep 0.2; done
"""),
]
CONTAINER_WORK = len(WORKLOADS) - 1  # the runc workload: its alerts are also the container's

CLEANUP = f"""dpkg -P {PKG} > /dev/null 2>&1
userdel -r {USER} > /dev/null 2>&1; groupdel {USER} > /dev/null 2>&1
rm -rf {LOGDIR} /var/lib/vigil-e2e-app /var/lib/{PKG} {CONF} /etc/.ansible_tmp*
update-alternatives --quiet --remove-all vigil-e2e-alt > /dev/null 2>&1
true"""


class Ok(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def justified_rules():
    """The rule names docs/coverage.md's "Benign workload" section justifies (in backquotes)."""
    path = os.path.join(REPO, "docs", "coverage.md")
    if not os.path.exists(path):
        return set()
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^## Benign workload\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    return set(re.findall(r"`([a-z0-9_]+)`", m.group(1))) if m else set()


def main():
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    scratch = tempfile.mkdtemp(prefix="vigil-e2e-benign-", dir="/var/lib")
    tmp = tempfile.mkdtemp(prefix="vigil-e2e-benign-")
    os.chmod(tmp, 0o755)
    bindir = os.path.join(scratch, "bin")
    os.makedirs(bindir)
    names = [f"vgl-b{i:02d}" for i in range(len(WORKLOADS))]
    for name in names:
        shutil.copy("/bin/sh", os.path.join(bindir, name))
    with open(os.path.join(scratch, "cm.py"), "w") as f:
        f.write(CONFIG_MANAGEMENT)
    # The container's entrypoint is a shell, as in most images: `sh -c "...; exec sleep"`.
    container = RuncContainer(name_prefix="vigil-e2e-benign",
                              args=["/bin/sh", "-c", "echo starting; exec sleep 300"])
    container.build()
    container.started = True  # runc run is part of the work; __exit__ removes it in any case
    time.sleep(0.02)  # the agent's start must be strictly later than the launchers' mtimes
    srv = listener()
    http = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    failures = []
    alerts = []  # (workload index, alert)
    try:
        with harness.Agent(vigil, None,
                           policy_paths=[os.path.join(REPO, "rules"),
                                         os.path.join(REPO, "policies", "default.vgl")],
                           scratch_parent="/var/lib") as agent:
            runner = Runner(agent, scratch, tmp, bindir, srv.getsockname()[1],
                            extra_env={"HTTP_PORT": str(http.server_address[1]),
                                       "BUNDLE": container.bundle, "CID": container.id})
            for i, (what, work) in enumerate(WORKLOADS):
                cid = container.id if i == CONTAINER_WORK else None
                hits, took, rc, err = runner.run(names[i], work, cid, timeout=120)
                status = "ok" if rc == 0 else f"FAILED (exit {rc}: {err.strip()[-200:]})"
                print(f"[{i:02d}] {what}: {took:.1f} s, {len(hits)} alerts, {status}")
                if rc != 0:
                    failures.append(f"the work itself failed: {what}: exit {rc}: {err.strip()[-200:]}")
                alerts += [(i, a) for a in hits]
            # Quiet because events were lost would prove nothing: events the agent lost (ring
            # buffer or in-flight queue full, undecodable) or alerts it could not write fail the
            # test. Repeats it held back (its --alert-limit) and processes over their own event
            # budget are printed: another workload on the machine (a benchmark) can cause them.
            for loss in (a for a in agent.alerts() if a.get("rule") == harness.LOSS_RULE):
                counts = loss.get("loss", {})
                print("agent loss report:", loss.get("output", "")[:300])
                if any(counts.get(k, 0) for k in LOST):
                    failures.append(f"the agent lost events or alerts: {loss.get('output', '')[:300]}")
    finally:
        container.__exit__(None, None, None)
        subprocess.run(["/bin/sh", "-c", CLEANUP], timeout=60)
        http.shutdown()
        srv.close()
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)

    by_rule = {}
    for i, a in alerts:
        key = (a["rule"], a["severity"])
        by_rule.setdefault(key, []).append((i, a))
    print(f"benign workload: {len(WORKLOADS)} kinds of work raised {len(alerts)} alerts")
    justified = justified_rules()
    for (rule, severity), hits in sorted(by_rule.items(), key=lambda kv: kv[0]):
        print(f"  {severity:<8} {rule} x{len(hits)} (work {sorted({i for i, _ in hits})}): "
              f"{hits[0][1]['output'][:160]}")
        if severity in ("high", "critical"):
            failures.append(f"{severity} alert {rule}: " +
                            "; ".join(a["output"][:200] for _, a in hits[:3]))
        elif rule not in justified:
            failures.append(f"{severity} alert {rule} is not justified in docs/coverage.md "
                            "(section \"Benign workload\")")
    for f in failures:
        print("FAIL:", f)
    print("benign workload:", "failed" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
