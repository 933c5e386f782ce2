#!/usr/bin/env python3
"""Host, user and exec identity through `vigil record` and back through `vigil replay`, with real
execs: `cat` run from a known working directory on a pseudo-terminal it controls, with its audit
login uid set, and `cat` as pid 1 of a new pid namespace. The recorded events carry host.name,
host.id, user.name, user.loginname, proc.cwd, proc.tty, proc.tty_dev and proc.vpid exactly; a
rule reading all of them raises on replay of the file, so the JSON round-trips them."""
import fcntl
import json
import os
import pwd
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "agent"))
import harness  # noqa: E402


def tty_nr(rdev):
    major, minor = os.major(rdev), os.minor(rdev)
    return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)


def machine_id():
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            text = open(path).read().strip()
            if text:
                return text
        except OSError:
            pass
    return None


if __name__ == "__main__":
    vigil = os.path.abspath(sys.argv[1])
    harness.require_root_and_bpf()
    failures = []
    with tempfile.TemporaryDirectory(prefix="vigil-e2e-ident-") as d:
        events = os.path.join(d, "events.jsonl")
        workdir = os.path.join(d, "work dir")
        os.mkdir(workdir)
        marker = os.path.join(d, "marker-" + str(os.getpid()))
        open(marker, "w").close()
        rec = subprocess.Popen([vigil, "record", "-o", events, "--events", "exec"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        login_set = False
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                line = rec.stderr.readline()
                if "attached" in line or "ready" in line or not line:
                    break
            # 1. On a pty it controls, from workdir, login uid 0 (root may set it once).
            master, slave = os.openpty()
            slave_name = os.ttyname(slave)
            slave_dev = tty_nr(os.fstat(slave).st_rdev)

            def child_setup():
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

            script = ("{ echo 0 > /proc/self/loginuid; } 2>/dev/null; "
                      f"exec cat {marker}")
            subprocess.run(["sh", "-c", script], cwd=workdir, stdin=slave, stdout=subprocess.DEVNULL,
                           preexec_fn=child_setup, check=True, close_fds=True, pass_fds=(slave,))
            os.close(slave)
            os.close(master)
            # 2. pid 1 of a new pid namespace.
            subprocess.run(["unshare", "--pid", "--fork", "cat", marker], cwd="/",
                           stdout=subprocess.DEVNULL, check=True, start_new_session=True)
            time.sleep(0.5)
        finally:
            rec.send_signal(signal.SIGINT)
            rec.communicate(timeout=30)
        cats = []
        for line in open(events):
            ev = json.loads(line)
            if ev.get("evt", {}).get("type") == "exec" and ev.get("proc", {}).get("args") == ["cat", marker]:
                cats.append(ev)
        print(f"{len(cats)} exec events of cat {marker}")
        on_tty = [e for e in cats if e["proc"].get("tty")]
        in_ns = [e for e in cats if e["proc"].get("vpid") == 1]
        if len(cats) != 2 or len(on_tty) != 1 or len(in_ns) != 1:
            failures.append(f"expected one cat on the tty and one as pid 1 of a namespace: "
                            f"{[e['proc'] for e in cats]}")
        else:
            t, n = on_tty[0], in_ns[0]
            host = {"name": socket.gethostname()}
            if machine_id():
                host["id"] = machine_id()
            root_name = pwd.getpwuid(0).pw_name
            checks = [
                ("host", t.get("host"), host),
                ("host (namespace)", n.get("host"), host),
                ("user.name", t.get("user", {}).get("name"), root_name),
                ("proc.cwd", t["proc"].get("cwd"), workdir),
                ("proc.cwd (namespace)", n["proc"].get("cwd"), "/"),
                ("proc.tty", t["proc"].get("tty"), slave_name[len("/dev/"):]),
                ("proc.tty_dev", t["proc"].get("tty_dev"), slave_dev),
                ("proc.tty_dev (no tty)", n["proc"].get("tty_dev"), 0),
                ("proc.vpid (host)", t["proc"].get("vpid"), t["proc"]["pid"]),
                ("kernel.cwd_truncated", t["kernel"].get("cwd_truncated"), False),
            ]
            login_set = t["proc"].get("loginuid") == 0
            if login_set:
                checks.append(("user.loginname", t.get("user", {}).get("loginname"), root_name))
            else:
                print("note: the login uid could not be set here; user.loginname not checked")
                if "loginname" in t.get("user", {}):
                    failures.append("user.loginname present while the login uid is unset")
            for what, got, want in checks:
                if got != want:
                    failures.append(f"{what}: {got!r} != {want!r}")
            if n["proc"]["pid"] == 1:
                failures.append("the namespaced cat has host pid 1")
            # Replay: a rule reading every new field raises on exactly these two events.
            quote = lambda s: json.dumps(s)
            rules = os.path.join(d, "ident.vgl")
            cond_t = (f'proc.cwd == {quote(workdir)} and proc.tty == {quote(t["proc"]["tty"])} and '
                      f'proc.tty_dev == {slave_dev} and proc.vpid == {t["proc"]["pid"]} and '
                      f'user.name == {quote(root_name)} and host.name == {quote(host["name"])}')
            if "id" in host:
                cond_t += f' and host.id == {quote(host["id"])}'
            if login_set:
                cond_t += f' and user.loginname == {quote(root_name)}'
            cond_n = 'proc.vpid == 1 and proc.pid != 1 and proc.cwd == "/" and proc.tty_dev == 0'
            with open(rules, "w") as f:
                f.write(f"""
rule ident_tty {{
  desc "cat on a terminal"
  severity low
  on exec
  when proc.name == "cat" and {cond_t}
  output "tty"
}}
rule ident_ns {{
  desc "cat as pid 1 of a namespace"
  severity low
  on exec
  when proc.name == "cat" and {cond_n}
  output "ns"
}}
policy e2e {{ rules [ident_tty, ident_ns] }}
""")
            replay = subprocess.run([vigil, "replay", "--policy", rules, events],
                                    capture_output=True, text=True)
            got = sorted(json.loads(l)["rule"] for l in replay.stdout.splitlines() if l.strip())
            print(f"replay: {got}; stderr: {replay.stderr.strip()[-300:]}")
            if got != ["ident_ns", "ident_tty"]:
                failures.append(f"replay raised {got}, expected ident_ns and ident_tty once each")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
