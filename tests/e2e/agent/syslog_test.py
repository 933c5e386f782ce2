#!/usr/bin/env python3
"""The syslog output (issue 13, item 14): one datagram per alert on the syslog socket, with the
priority of the rule's severity (authpriv.crit for critical, authpriv.info for info); with the
socket gone, alerts are counted as failed instead of vanishing; when the daemon comes back, the
next alert reaches it. The socket is a unix datagram socket bound at a temp path
(`--output syslog:PATH`)."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

LOG_AUTHPRIV, LOG_CRIT, LOG_INFO = 10 << 3, 2, 6

POLICY = """
rule exec_critical {{ desc "d" severity critical tags [e2e] on exec when proc.exe == "{target}"
  output "critical {{proc.cmdline}}" }}
test exec_critical {{ alert exec {{ proc.exe: "{target}" }} quiet exec {{ proc.exe: "/bin/true" }} }}
rule exec_info {{ desc "d" severity info tags [e2e] on exec when proc.exe == "{target}"
  output "info {{proc.cmdline}}" }}
test exec_info {{ alert exec {{ proc.exe: "{target}" }} quiet exec {{ proc.exe: "/bin/true" }} }}
policy e2e {{ rules [tag:e2e] }}
"""


def receive(sock, n, timeout=10):
    got = []
    deadline = time.time() + timeout
    sock.settimeout(0.2)
    while time.time() < deadline and len(got) < n:
        try:
            got.append(sock.recv(65536).decode())
        except socket.timeout:
            pass
    return got


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    ctx, target = harness.agent_with_target(vigil)
    ctx.write_policy(POLICY.format(target=target))
    log_path = os.path.join(ctx.dir, "log")
    ctx.outputs = ["syslog:" + log_path, "file:" + ctx.alerts_path]
    failures = []
    daemon = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    daemon.bind(log_path)
    try:
        with ctx as agent:
            subprocess.run([target, "one"], check=True)
            got = receive(daemon, 2)
            prios = sorted(int(m[1:m.index(">")]) for m in got)
            if prios != sorted([LOG_AUTHPRIV | LOG_CRIT, LOG_AUTHPRIV | LOG_INFO]):
                failures.append(f"priorities {prios}, messages {got}")
            if not all(" vigil[" in m and '"rule":"exec_' in m for m in got):
                failures.append(f"messages are not 'TIME vigil[PID]: ALERT': {got}")
            # The daemon goes away: alerts fail, counted.
            daemon.close()
            os.unlink(log_path)
            for i in range(3):
                subprocess.run([target, f"gone-{i}"], check=True)
            agent.wait_alerts(8)
            agent.wait_for_log("alert not written")
            # And comes back: the next alert reaches it.
            daemon = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            daemon.bind(log_path)
            subprocess.run([target, "back"], check=True)
            back = receive(daemon, 2)
            if len(back) != 2 or not all("back" in m for m in back):
                failures.append(f"after the daemon returned: {back}")
            agent.wait_alerts(10)
            agent.stop()
            stats = harness.final_stats(agent.log_text())
            sink = harness.sink_stats(stats, "syslog:" + log_path)
            # 10 rule alerts (4 written, 6 failed while the socket was gone) and the agent's loss
            # reports, which went to syslog too: those while it was gone failed.
            rule_alerts, reports = harness.split_loss_reports(agent.alerts())
            n_reports = harness.loss_reports_written(stats) or 0
            if (not sink or sink["written"] + sink["failed"] != 10 + n_reports or
                    sink["failed"] < 6 or sink["written"] < 4 or sink["dropped"] != 0):
                failures.append(f"syslog stats {sink}, expected 4 written and 6 failed alerts "
                                f"plus {n_reports} loss reports: {stats}")
            if len(rule_alerts) != 10:
                failures.append(f"the file output got {len(rule_alerts)} alerts, not 10")
            # The file never failed, so it holds every report, and they account for every
            # failed syslog write (the last report was written: the daemon was back).
            reported = sum(r["loss"]["alerts_failed"] for r in reports)
            if len(reports) != n_reports or not sink or reported != sink["failed"]:
                failures.append(f"loss reports in the file: {len(reports)} of {n_reports}, "
                                f"saying {reported} failed writes; syslog says {sink}")
            print(f"priorities {prios}; syslog sink {sink}")
    finally:
        daemon.close()
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
