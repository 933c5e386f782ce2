"""Attribution by lineage for the e2e suites that run real work under the real agent
(run_detections.py, benign_workload.py): each snippet runs under its own launcher, a copy of
/bin/sh with a unique name, and the alerts it caused are those whose process has the launcher
among its ancestors (or, for work in a container, that name the container). Other activity on
the machine cannot be attributed to a snippet."""
import os
import socket
import subprocess
import threading
import time

import harness


def listener():
    """A loopback listener that accepts and closes, for the triggers that connect."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
                conn.close()
            except OSError:
                return
    threading.Thread(target=serve, daemon=True).start()
    return srv


class Runner:
    def __init__(self, agent, scratch, tmp, bindir, port, extra_env=None):
        self.agent = agent
        self.env = dict(os.environ, S=scratch, T=tmp, BIN=bindir, PORT=str(port),
                        **(extra_env or {}))
        self.scratch = scratch
        self.bindir = bindir
        self.seen = 0  # alerts already attributed

    def shell(self, snippet, timeout=10):
        """Setup and cleanup: plain /bin/sh, not attributed."""
        subprocess.run(["/bin/sh", "-c", snippet], env=self.env, cwd=self.scratch,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)

    def run(self, name, snippet, container_id=None, timeout=60):
        """Runs `snippet` under launcher `name`; returns the alerts it caused: those whose
        process descends from the launcher, and, for a snippet run in the harness's own
        container, every new alert from that container."""
        launcher = os.path.join(self.bindir, name)
        before = len(self.agent.alerts())
        start = time.time()
        # The bound is generous: on a loaded 2-core machine `apt-cache policy` took over 10 s.
        proc = subprocess.run([launcher, "-c", snippet], env=self.env, cwd=self.scratch,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
        took = time.time() - start
        # Wait for the agent: until no new alert arrives for 0.5 s (at most 4 s).
        last, stable_since, deadline = -1, time.time(), time.time() + 4
        while time.time() < deadline:
            n = len(self.agent.alerts())
            if n != last:
                last, stable_since = n, time.time()
            elif time.time() - stable_since > 0.5:
                break
            time.sleep(0.05)
        mine = []
        for k, a in enumerate(self.agent.alerts()):
            if a.get("rule") == harness.LOSS_RULE:
                continue  # the agent's own loss reports belong to no trigger
            p = a["event"].get("proc", {})
            names = [p.get("name", "")] + p.get("ancestors", {}).get("name", [])
            in_container = (container_id and k >= before
                            and a["event"].get("container", {}).get("id") == container_id)
            if name in names or in_container:
                mine.append(a)
        return mine, took, proc.returncode, proc.stderr.decode(errors="replace")[-300:]


