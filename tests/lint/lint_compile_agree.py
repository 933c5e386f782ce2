#!/usr/bin/env python3
"""`vigil lint` and `vigil compile` agree on every input of the corpus: a file (or folder) that
compile refuses is a lint error with a position (file:line:col), compile says where too, and a
file lint finds errors in is refused by compile. The corpus: the golden lint cases, the rule
library (each file, and rules/ with policies/ as the agent loads them), any .vgl under examples/,
and tests/lint/limits/ (one file per limit of the kernel plan; the "(Vnnn)" in a limit file's
first line is the code lint must report for it).

    lint_compile_agree.py VIGIL    (run from the repository root)
"""
import glob
import json
import os
import re
import subprocess
import sys

LOCATED = re.compile(r"^.+:\d+:\d+: error\[V\d{3}\]: ", re.M)


def corpus():
    inputs = []
    for path in sorted(glob.glob("tests/lint/cases/*")):
        if path.endswith(".vgl") or os.path.isdir(path):
            inputs.append([path])
    inputs += [[p] for p in sorted(glob.glob("tests/lint/limits/*.vgl"))]
    inputs += [[p] for p in sorted(glob.glob("rules/*.vgl") + glob.glob("policies/*.vgl"))]
    inputs.append(["rules", "policies"])
    inputs += [[p] for p in sorted(glob.glob("examples/**/*.vgl", recursive=True))]
    return inputs


def expected_code(paths):
    if len(paths) != 1 or not paths[0].startswith("tests/lint/limits/"):
        return None
    with open(paths[0], encoding="utf-8") as f:
        m = re.search(r"\((V\d{3})\)", f.readline())
    return m.group(1) if m else None


def check(vigil, paths):
    """Returns the list of disagreements for one input."""
    lint = subprocess.run([vigil, "lint", "--format", "json", *paths], capture_output=True)
    comp = subprocess.run([vigil, "compile", *paths], capture_output=True)
    name = " ".join(paths)
    if lint.returncode == 2 or comp.returncode == 2:
        if lint.returncode != comp.returncode:
            return [f"{name}: lint exit {lint.returncode}, compile exit {comp.returncode}"]
        return []
    errors = [f for f in json.loads(lint.stdout)["findings"] if f["level"] == "error"]
    problems = []
    if comp.returncode != 0:
        if lint.returncode != 1 or not errors:
            problems.append(f"{name}: compile refuses it but lint reports no error:\n"
                            + comp.stderr.decode(errors="replace"))
        unlocated = [f for f in errors if not (f["file"] and f["line"] > 0 and f["column"] > 0)]
        if unlocated:
            problems.append(f"{name}: lint errors without a position: {unlocated}")
        if not LOCATED.search(comp.stderr.decode(errors="replace")):
            problems.append(f"{name}: compile refuses it without a file:line:col error:\n"
                            + comp.stderr.decode(errors="replace"))
    elif errors:
        problems.append(f"{name}: lint reports errors but compile accepts it: "
                        + "; ".join(f'{e["code"]} {e["message"]}' for e in errors))
    code = expected_code(paths)
    if code and code not in [f["code"] for f in errors]:
        problems.append(f"{name}: lint does not report {code}; got {[f['code'] for f in errors]}")
    if paths[0].startswith("tests/lint/limits/") and comp.returncode == 0:
        problems.append(f"{name}: a kernel limit case that compile accepts")
    return problems


def main():
    vigil = sys.argv[1]
    inputs = corpus()
    failures = [p for paths in inputs for p in check(vigil, paths)]
    for f in failures:
        print("FAIL", f)
    print(f"{len(inputs)} inputs checked, {len(failures)} disagreements")
    return 1 if failures or not inputs else 0


if __name__ == "__main__":
    sys.exit(main())
