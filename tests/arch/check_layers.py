#!/usr/bin/env python3
"""The stage dependencies of docs/architecture.md, checked on the code: every `#include` of an
engine stage (or of bpf/) in engine/STAGE/ must be one the table allows. Fails with the file,
line and the include that breaks a layer."""
import os
import re
import sys

root = sys.argv[1]
# Stage -> the folders its files may include besides their own (docs/architecture.md).
ALLOWED = {
    "util": set(),
    "lang": {"bpf", "util"},
    "match": {"lang", "util"},
    "compile": {"bpf", "kernel", "lang", "match", "util"},
    "kernel": {"bpf", "util"},
    "proctree": {"bpf", "util"},
    "output": {"bpf", "compile", "kernel", "lang", "match", "util"},
    "runtime": {"bpf", "compile", "kernel", "lang", "match", "output", "proctree", "util"},
    "agent": {"bpf", "compile", "kernel", "lang", "match", "output", "proctree", "runtime", "util"},
    "importer": {"lang", "util"},
    "cli": {"agent", "compile", "importer", "lang", "match", "output", "runtime", "util"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')
failures = 0
checked = 0
for stage, allowed in ALLOWED.items():
    folder = os.path.join(root, "engine", stage)
    for dirpath, _, files in os.walk(folder):
        for name in sorted(files):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    checked += 1
                    target = m.group(1)
                    if target == stage or target not in ALLOWED and target != "bpf":
                        continue
                    if target not in allowed:
                        rel = os.path.relpath(path, root)
                        print(f"{rel}:{number}: engine/{stage} may not include {target}/ "
                              f"(allowed: {', '.join(sorted(allowed)) or 'nothing'})")
                        failures += 1
print(f"{checked} includes checked, {failures} across a layer")
sys.exit(1 if failures or checked == 0 else 0)
