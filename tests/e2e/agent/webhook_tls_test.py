#!/usr/bin/env python3
"""The webhook output over TLS (issue 17): an HTTPS collector on loopback with a certificate
made for the test. With --webhook-ca-file naming that certificate the alert arrives, with its
custom header; without it, the certificate does not verify against the system's store, and the
alert fails at once (counted as failed, no retries: retrying cannot fix a certificate)."""
import http.server
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


def collector(cert, key):
    posts = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            posts.append((dict(self.headers), json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, posts


def run_agent(vigil, url, extra):
    ctx, target = harness.agent_with_target(vigil)
    ctx.write_policy(harness.exec_policy(target))
    ctx.outputs = ["file:" + ctx.alerts_path, "webhook:" + url]
    ctx.extra_args = ["--webhook-header", "Authorization: Bearer e2e-token"] + extra
    with ctx as agent:
        subprocess.run([target, "tls"], check=True)
        agent.wait_alerts(1)
        time.sleep(1)
        agent.stop()
        return agent.alerts(), harness.final_stats(agent.log_text()), agent.log_text()


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    with tempfile.TemporaryDirectory() as d:
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        server, posts = collector(cert, key)
        url = f"https://127.0.0.1:{server.server_address[1]}/in"
        name = "webhook:" + url
        try:
            alerts, stats, _ = run_agent(vigil, url, ["--webhook-ca-file", cert])
            s = harness.sink_stats(stats, name)
            if len(posts) != 1 or posts[0][0].get("Authorization") != "Bearer e2e-token" or \
                    posts[0][1].get("id") != alerts[0].get("id"):
                failures.append(f"trusted: posts {posts}, file {alerts}")
            if not s or s["written"] != 1 or s["failed"]:
                failures.append(f"trusted: stats {s} ({stats})")
            posts.clear()
            alerts, stats, log = run_agent(vigil, url, [])
            s = harness.sink_stats(stats, name)
            if posts:
                failures.append(f"untrusted certificate: the alert was posted anyway: {posts}")
            # The alert, and the loss report that says so, fail.
            if not s or s["written"] != 0 or s["failed"] < 1 or "retries=" in stats:
                failures.append(f"untrusted: stats {s}, expected failures and no retries "
                                f"({stats})")
            if "not retried" not in log:
                failures.append("untrusted: the failure was not logged")
        finally:
            server.shutdown()
    for f in failures:
        print("FAIL: " + f)
    print("webhook TLS:", "ok" if not failures else f"{len(failures)} failed")
    sys.exit(1 if failures else 0)
