#!/usr/bin/env python3
"""import.falco_corpus: `vigil import falco` on Falco's stable rules (shared/corpora/falco).

Checks, with figures: at least 90% of the rules converted (exact or with stated approximations)
according to the JSON report, every rule of the input accounted for in it, the generated file
lint-clean together with the built-in library (no error, no warning), and every generated test
case passing under `vigil test`, with a test block for every converted rule.
"""
import json
import os
import re
import subprocess
import sys
import tempfile


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def main():
    vigil, rules_dir, corpus = sys.argv[1:4]
    src = os.path.join(corpus, "falco", "falco_rules.yaml")
    if not os.path.exists(src):
        print(f"corpus missing: {src}")
        return 1
    with open(src) as f:
        declared = len(re.findall(r"^- rule:", f.read(), re.M))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "falco.vgl")
        rep = os.path.join(tmp, "report.json")
        rc, text = run([vigil, "import", "falco", src, "-o", out, "--report", "json",
                        "--report-file", rep])
        if rc != 0:
            print(f"vigil import falco failed ({rc}):\n{text}")
            return 1
        report = json.load(open(rep))
        s = report["summary"]
        converted = s["exact"] + s["approximate"]
        rate = converted / s["total"] if s["total"] else 0.0
        print(f"falco: {s['total']} rules, {s['exact']} exact, {s['approximate']} approximate, "
              f"{s['not_converted']} not converted: {100 * rate:.1f}% converted")
        for r in report["rules"]:
            if r["conversion"] == "not_converted":
                print(f"  not converted: {r['id']}: {r['reason']}")
        ok = True
        if s["total"] != declared or len(report["rules"]) != declared:
            print(f"FAIL: the corpus declares {declared} rules, the report has {s['total']}")
            ok = False
        if rate < 0.9:
            print("FAIL: fewer than 90% converted")
            ok = False
        rc, text = run([vigil, "lint", rules_dir, out])
        findings = [l for l in text.splitlines() if re.search(r"(error|warning)\[V\d+\]", l)]
        print(f"lint: exit {rc}, {len(findings)} findings")
        if rc != 0 or findings:
            print(text)
            ok = False
        rc, text = run([vigil, "test", rules_dir, out])
        last = text.strip().splitlines()[-1] if text.strip() else ""
        print(f"test: exit {rc}: {last}")
        if rc != 0:
            print(text)
            ok = False
        with open(out) as f:
            vgl = f.read()
        tested = set(re.findall(r"^test (\S+) \{", vgl, re.M))
        written = set(re.findall(r"^rule (\S+) \{", vgl, re.M))
        print(f"rules written: {len(written)}, with a test block: {len(tested & written)}")
        if len(written) != converted or tested != written:
            print(f"FAIL: rules without a test: {sorted(written - tested)}")
            ok = False
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
