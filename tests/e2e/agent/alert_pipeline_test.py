#!/usr/bin/env python3
"""Alerts for a SIEM pipeline, end to end (issue 17): the agent sends each alert to a file, to a
webhook in falcosidekick's form and to Kafka (librdkafka's mock cluster, read back with kcat),
with both destinations down when the alerts happen. When they come back, every alert arrives,
with the same id everywhere; the alerts carry id, schema version, host, version, description
and tags; the agent's log is JSON lines; the stats and `vigil status` count retries and
deliveries."""
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


class Collector(http.server.ThreadingHTTPServer):
    """Stores every POST (headers and JSON body) and answers 200."""

    def __init__(self, port):
        self.posts = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.posts.append((dict(self.headers), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", port), Handler)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(cond, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def sink(status, prefix):
    return next((s for s in status.get("sinks", []) if s["name"].startswith(prefix)), None)


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    mock = subprocess.Popen([os.environ["VIGIL_KAFKA_MOCK"]], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    brokers = mock.stdout.readline().strip()

    def broker(cmd):
        mock.stdin.write(cmd + "\n")
        mock.stdin.flush()
        mock.stdout.readline()

    port = free_port()
    failures = []
    ctx, target = harness.agent_with_target(vigil)
    ctx.write_policy(harness.exec_policy(target))
    ctx.outputs = ["file:" + ctx.alerts_path, f"webhook:http://127.0.0.1:{port}/falco", "kafka"]
    ctx.extra_args = ["--webhook-format", "falcosidekick", "--webhook-header", "X-Fleet: e2e",
                      "--webhook-max-backoff-ms", "300", "--kafka-brokers", brokers,
                      "--kafka-topic", "alerts", "--kafka-key", "host", "--log-format", "json"]
    server = None
    try:
        broker("down")
        with ctx as agent:
            for i in range(5):
                subprocess.run([target, f"run-{i}"], check=True)
            alerts = agent.wait_alerts(5)
            rule_alerts, _ = harness.split_loss_reports(alerts)
            if len(rule_alerts) != 5:
                failures.append(f"{len(rule_alerts)} alerts in the file, expected 5")
            time.sleep(1.5)  # both destinations are down: retries, nothing delivered
            st = agent.status()
            hook, kafka = sink(st, "webhook:"), sink(st, "kafka:")
            if not hook or hook["written"] != 0 or hook["retries"] < 1:
                failures.append(f"webhook while down: {hook}, expected retries and none written")
            if not kafka or kafka["written"] != 0 or kafka["in_flight"] != 5:
                failures.append(f"kafka while down: {kafka}, expected 5 in flight")
            server = Collector(port)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            broker("up")
            if not wait(lambda: len(server.posts) >= 5):
                failures.append(f"{len(server.posts)} webhook posts after the server came up")
            if not wait(lambda: (sink(agent.status(), "kafka:") or {}).get("written") == 5):
                failures.append(f"kafka after the broker came up: {sink(agent.status(), 'kafka:')}")
            ids = [a["id"] for a in rule_alerts]
            for a in rule_alerts:
                if a.get("schema_version") != 2 or not a.get("hostname") or \
                        not a.get("vigil_version") or a.get("description") != "the e2e target ran" \
                        or a.get("tags") != ["e2e"] or len(a.get("id", "")) != 36:
                    failures.append(f"alert lacks its envelope: {json.dumps(a)[:300]}")
            if len(set(ids)) != len(ids):
                failures.append(f"repeated ids: {ids}")
            posted = [b for _, b in server.posts if b.get("rule") == "exec_of_target"]
            if [p["uuid"] for p in posted] != ids:
                failures.append(f"webhook uuids {[p['uuid'] for p in posted]} != file ids {ids}")
            for headers, body in server.posts[:1]:
                if headers.get("X-Fleet") != "e2e" or body.get("priority") != "Error" or \
                        body.get("source") != "syscall" or "proc.exe" not in body["output_fields"]:
                    failures.append(f"webhook post: {headers} {json.dumps(body)[:300]}")
            read = subprocess.run(["kcat", "-q", "-b", brokers, "-C", "-t", "alerts", "-o",
                                   "beginning", "-e", "-f", "%k\t%s\n"],
                                  capture_output=True, text=True, timeout=60)
            msgs = [line.split("\t", 1) for line in read.stdout.splitlines() if line]
            kafka_ids = []
            for key, value in msgs:
                v = json.loads(value)
                if v.get("rule") == "exec_of_target" and v["id"] not in kafka_ids:
                    kafka_ids.append(v["id"])
                if key != rule_alerts[0]["hostname"]:
                    failures.append(f"kafka key {key!r}, expected the host name")
            if kafka_ids != ids:
                failures.append(f"kafka ids {kafka_ids} != file ids {ids} ({read.stderr[-300:]})")
            agent.stop()
            log = agent.log_text()
            for line in log.splitlines():
                try:
                    entry = json.loads(line)
                    if not {"time", "level", "message"} <= entry.keys():
                        failures.append(f"log line without time/level/message: {line}")
                except ValueError:
                    failures.append(f"log line is not JSON: {line}")
            final = [json.loads(line)["message"] for line in log.splitlines()
                     if "final stats" in line]
            stats = final[-1] if final else ""
            for name in (f"webhook:http://127.0.0.1:{port}/falco", "kafka:alerts"):
                s = harness.sink_stats(stats, name)
                if not s or s["written"] < 5 or s["failed"] or s["dropped"]:
                    failures.append(f"final stats of {name}: {s} ({stats[-300:]})")
    finally:
        if server:
            server.shutdown()
        mock.stdin.close()
        mock.wait(timeout=10)
    for f in failures:
        print("FAIL: " + f)
    print("alert pipeline:", "ok" if not failures else f"{len(failures)} failed")
    sys.exit(1 if failures else 0)
