#!/usr/bin/env python3
"""Checks the examples in docs/lint.md: each `vgl bad` block must make `vigil lint` report the
code of its section, and each `vgl fixed` block must not report it (nor any error)."""
import json
import re
import subprocess
import sys

vigil, doc = sys.argv[1], sys.argv[2]
text = open(doc, encoding="utf-8").read()
failures = 0
checked = 0
for section in re.split(r"^## ", text, flags=re.M)[1:]:
    code = section.split()[0]
    for kind, body in re.findall(r"```vgl (bad|fixed)\n(.*?)```", section, flags=re.S):
        run = subprocess.run([vigil, "lint", "--format", "json", "-"], input=body.encode(),
                             capture_output=True)
        findings = json.loads(run.stdout)["findings"]
        codes = [f["code"] for f in findings]
        errors = [f for f in findings if f["level"] == "error"]
        checked += 1
        if kind == "bad" and code not in codes:
            print(f"FAIL {code}: the bad example does not produce {code}; got {codes}")
            failures += 1
        if kind == "fixed" and (code in codes or errors or [f for f in findings if f["level"] == "warning"]):
            print(f"FAIL {code}: the fixed example still reports: "
                  + "; ".join(f'{f["code"]} {f["message"]}' for f in findings))
            failures += 1
print(f"{checked} examples checked, {failures} failed")
sys.exit(1 if failures or checked == 0 else 0)
