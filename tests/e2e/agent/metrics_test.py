#!/usr/bin/env python3
"""`vigil run --metrics` scraped by a real Prometheus (Debian's `prometheus`), issue 17. The agent
alerts on a test binary; Prometheus, started on loopback with a temporary config and data folder,
scrapes it every second; the test asks Prometheus' HTTP API for vigil's series and checks them
against `vigil status --json` (the same counters, read through the control socket): alerts by
rule, policy version, reloads, events, the output's written count, build info. It also checks
/healthz and /readyz, and that the agent tells systemd READY=1 once its sensors are attached (a
NOTIFY_SOCKET datagram socket of the test's own) and STOPPING=1 when it stops. Prometheus is
always stopped and its folder removed."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

EXECS = 5


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, OSError) as e:  # not listening (yet)
        return 0, str(e)


def query(prom, expr):
    """Prometheus instant query: {labels as a sorted tuple: value}."""
    status, body = http_get(f"http://127.0.0.1:{prom}/api/v1/query?" +
                            urllib.parse.urlencode({"query": expr}))
    if status != 200:
        return {}
    out = {}
    for r in json.loads(body)["data"]["result"]:
        labels = tuple(sorted((k, v) for k, v in r["metric"].items()
                              if k not in ("instance", "job", "__name__")))
        out[labels] = float(r["value"][1])
    return out


def wait_query(prom, expr, want, timeout=30):
    """Polls until the single value of `expr` equals `want`; returns the last result."""
    deadline = time.time() + timeout
    got = {}
    while time.time() < deadline:
        got = query(prom, expr)
        if len(got) == 1 and list(got.values())[0] == want:
            return got
        time.sleep(0.5)
    return got


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    if shutil.which("prometheus") is None:
        if os.environ.get("VIGIL_REQUIRE_BPF") == "1":
            print("FAIL: prometheus is not installed (scripts/setup.sh installs it)")
            sys.exit(1)
        print("SKIP: prometheus is not installed")
        sys.exit(harness.SKIP)

    failures = []
    prom_dir = tempfile.mkdtemp(prefix="vigil-e2e-prometheus-")
    prom = None
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify_path = os.path.join(prom_dir, "notify.sock")
    notify.bind(notify_path)
    os.environ["NOTIFY_SOCKET"] = notify_path
    try:
        agent_ctx, target = harness.agent_with_target(
            vigil, extra_args=["--metrics", "127.0.0.1:0"])
        agent_ctx.write_policy(harness.exec_policy(target))
        with agent_ctx as agent:
            del os.environ["NOTIFY_SOCKET"]
            notify.settimeout(10)
            message = notify.recv(4096).decode()
            if not message.startswith("READY=1") or "watching" not in agent.log_text():
                failures.append(f"first notification {message!r}, expected READY=1 after the "
                                "sensors attached")
            log = agent.log_text()
            port = int(log.split("metrics, /healthz and /readyz: 127.0.0.1:0 (port ")[1]
                       .split(")")[0])
            base = f"http://127.0.0.1:{port}"
            for path, want in (("/healthz", 200), ("/readyz", 200)):
                deadline = time.time() + 5
                code, body = http_get(base + path)
                while code != want and time.time() < deadline:
                    time.sleep(0.2)
                    code, body = http_get(base + path)
                if code != want:
                    failures.append(f"{path}: {code} {body!r}, expected {want}")

            for i in range(EXECS):
                subprocess.run([target, str(i)], check=True)
            if len(agent.wait_alerts(EXECS)) != EXECS:
                failures.append(f"{len(agent.alerts())} alerts, expected {EXECS}")

            # One reload, so that the reload histogram and the version move.
            subprocess.run([vigil, "reload", "--control-socket", agent.socket], check=True,
                           capture_output=True, timeout=60)
            around = [notify.recv(4096).decode() for _ in range(2)]
            if around != ["RELOADING=1", "READY=1\nSTATUS=policy set version 2"]:
                failures.append(f"notifications around the reload: {around}")

            prom_port = free_port()
            config = os.path.join(prom_dir, "prometheus.yml")
            with open(config, "w") as f:
                f.write("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                        "scrape_configs:\n"
                        "  - job_name: vigil\n"
                        f"    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
            prom_log = open(os.path.join(prom_dir, "prometheus.log"), "w")
            prom = subprocess.Popen(
                ["prometheus", "--config.file", config,
                 "--storage.tsdb.path", os.path.join(prom_dir, "data"),
                 "--web.listen-address", f"127.0.0.1:{prom_port}"],
                stdout=prom_log, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.time() + 60
            while time.time() < deadline:
                if prom.poll() is not None:
                    break
                if http_get(f"http://127.0.0.1:{prom_port}/-/ready", timeout=2)[0] == 200:
                    break
                time.sleep(0.3)

            got = wait_query(prom_port, 'vigil_alerts_total{rule="exec_of_target"}', EXECS)
            up = query(prom_port, 'up{job="vigil"}')
            status = agent.status()
            c = status.get("counters", {})
            by_rule = {a["rule"]: a["count"] for a in c.get("alerts", {}).get("by_rule", [])}
            if by_rule.get("exec_of_target") != EXECS:
                failures.append(f"status counters: alerts by rule {by_rule}")
            if got != {(("rule", "exec_of_target"), ("severity", "high")): EXECS}:
                failures.append(f"Prometheus: vigil_alerts_total {got}, up {up}")
            if list(up.values()) != [1.0]:
                failures.append(f"Prometheus: up {up}")

            if c.get("policy_version") != 2 or \
                    c.get("reloads", {}).get("latency_seconds", {}).get("count") != 1:
                failures.append(f"status after one reload: {c.get('policy_version')}, "
                                f"{c.get('reloads')}")
            checks = [
                ("vigil_policy_version", c.get("policy_version")),
                ('vigil_reloads_total{result="ok"}', c.get("reloads", {}).get("ok")),
                ('vigil_reloads_total{result="failed"}', c.get("reloads", {}).get("failed")),
                ("vigil_reload_duration_seconds_count",
                 c.get("reloads", {}).get("latency_seconds", {}).get("count")),
                ("vigil_sensors_attached", 1),
                (f'vigil_sink_alerts_written_total{{sink="file:{agent.alerts_path}"}}',
                 next((s["written"] for s in c.get("sinks", [])), None)),
                (f'vigil_sink_queue_depth{{sink="file:{agent.alerts_path}"}}', 0),
                ("vigil_alerts_suppressed_total", c.get("alerts", {}).get("suppressed")),
            ]
            for expr, want in checks:
                got = wait_query(prom_port, expr, want, timeout=10)
                if list(got.values()) != [want]:
                    failures.append(f"{expr}: Prometheus {got}, vigil status {want}")
            version = subprocess.run([vigil, "version"], capture_output=True,
                                     text=True).stdout.split()[-1]
            info = query(prom_port, "vigil_build_info")
            if info != {(("version", version),): 1.0} or c.get("agent_version") != version:
                failures.append(f"vigil_build_info {info}, vigil version {version}, status "
                                f"{c.get('agent_version')}")
            # Moving counters: what Prometheus scraped is at most what status reads later,
            # and the target's execs are among them.
            exec_prom = list(query(prom_port, 'vigil_events_total{type="exec"}').values())
            status = agent.status()
            exec_status = status["counters"]["events"]["by_type"].get("exec", 0)
            if len(exec_prom) != 1 or not EXECS <= exec_prom[0] <= exec_status:
                failures.append(f"exec events: Prometheus {exec_prom}, status {exec_status}")
            processes = list(query(prom_port, "vigil_process_tree_processes").values())
            if len(processes) != 1 or processes[0] < 1:
                failures.append(f"vigil_process_tree_processes {processes}")
            for family in ("vigil_events_dropped_total", "vigil_events_kernel_filtered_total",
                           "vigil_pending_events", "vigil_reload_duration_seconds_bucket"):
                if not query(prom_port, family):
                    failures.append(f"Prometheus has no series of {family}")

            agent.stop()
            notify.settimeout(5)
            try:
                message = notify.recv(4096).decode()
            except socket.timeout:
                message = ""
            if message != "STOPPING=1":
                failures.append(f"notification at stop {message!r}, expected STOPPING=1")
            if failures:
                print(agent.log_text()[-3000:])
    finally:
        os.environ.pop("NOTIFY_SOCKET", None)
        notify.close()
        if prom is not None and prom.poll() is None:
            os.killpg(prom.pid, signal.SIGTERM)
            try:
                prom.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(prom.pid, signal.SIGKILL)
                prom.wait()
        if failures and os.path.exists(os.path.join(prom_dir, "prometheus.log")):
            print("---- prometheus log ----")
            print(open(os.path.join(prom_dir, "prometheus.log")).read()[-3000:])
        shutil.rmtree(prom_dir, ignore_errors=True)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"PASS: Prometheus scraped vigil; {EXECS} alerts, policy version, reloads, sink and "
          "build info match vigil status; healthz/readyz 200; READY=1 and STOPPING=1 sent")
