#!/usr/bin/env python3
"""docs/alerts.md against the real output: the JSON and falcosidekick examples must be exactly
what `vigil replay` prints for tests/lint/alert_doc/, and the key table of the JSON section must
name every key an alert has (and only keys it has, but for the rows marked as sometimes absent).
Usage: check_alert_doc.py VIGIL DOC CASE_DIR"""
import json
import os
import re
import subprocess
import sys

vigil, doc, case = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(doc, encoding="utf-8").read()
failures = []


def replay(fmt):
    run = subprocess.run([vigil, "replay", "--format", fmt, "--policy",
                          os.path.join(case, "policy.vgl"), os.path.join(case, "events.jsonl")],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"FAIL: vigil replay --format {fmt} exited {run.returncode}: {run.stderr}")
    return run.stdout.splitlines()


def section(title):
    m = re.search(r"^## " + re.escape(title) + r"\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    if not m:
        sys.exit(f"FAIL: docs/alerts.md has no section '## {title}'")
    return m.group(1)


def first_json_block(body, where):
    m = re.search(r"```json\n(.*?)\n```", body, flags=re.S)
    if not m:
        failures.append(f"{where}: no ```json example")
        return ""
    return m.group(1)


for title, fmt in (("JSON (one object per line)", "json"), ("falcosidekick", "falcosidekick")):
    body = section(title)
    shown = first_json_block(body, title)
    real = replay(fmt)
    if len(real) != 1:
        failures.append(f"{title}: the replay gave {len(real)} alerts, expected 1")
    elif shown != real[0]:
        failures.append(f"{title}: the example differs from the real output.\n  doc:  {shown}\n"
                        f"  real: {real[0]}")

# The key table of the JSON section.
body = section("JSON (one object per line)")
rows = re.findall(r"^\| `([a-z_]+)` \|[^|]*\|(.*)\|$", body, flags=re.M)
documented = {k: meaning for k, meaning in rows}
alert = json.loads(replay("json")[0])
for key in alert:
    if key not in documented:
        failures.append(f"key '{key}' is in the output but not in the table")
for key, meaning in documented.items():
    if key not in alert and not re.search(r"\b(Only|Absent|absent)\b", meaning):
        failures.append(f"key '{key}' is in the table (not marked as sometimes absent) but not in "
                        "the output")

for f in failures:
    print("FAIL " + f)
print(f"{len(documented)} documented keys, {len(alert)} keys in the output, "
      f"{len(failures)} problems")
sys.exit(1 if failures else 0)
