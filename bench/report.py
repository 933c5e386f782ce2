#!/usr/bin/env python3
"""Writes bench/results/REPORT.md from what scripts/bench.sh left in the results folder: each
benchmark's printed output (NAME.txt: every timing there is a ratio to a baseline measured in
the same run, with its median and spread where the benchmark repeats) and the scale curves
(NAME.tsv), drawn as PNG plots with gnuplot, and notes.md when someone wrote one about the run.
Usage: report.py [RESULTS_DIR]"""
import os
import re
import shutil
import subprocess
import sys

# (file stem, title, what it measures)
SECTIONS = [
    ("overhead", "Kernel sensors: cost to the monitored system",
     "bench/overhead: ratios to a no-agent baseline of the same run (1.00), median over "
     "interleaved repetitions and best; beside them the floors (empty BPF programs) and bpftrace."),
    ("type_cost", "Kernel sensors: cost per event type", "bench/overhead/type_cost_bench.cpp."),
    ("agent", "Agent: reload latency, CPU per event, RSS", "bench/agent/run.py."),
    ("agent_rate", "Agent against event rate (scale curve)",
     "bench/agent/rate_curve.py: one agent, opens at a fixed offered rate for a few seconds per "
     "step; 50 probes a second time the alert latency (open to alert line readable)."),
    ("replay", "vigil replay", "bench/replay: where the time of one line goes (split, parse, "
     "complete, match, format), the old parser (nlohmann) against the new one (simdjson) in the "
     "same run, the whole loop reading a file on one thread and on two, and `vigil replay` end to "
     "end with --threads 1 and 2 against `cat` reading the same file (the baseline)."),
    ("match", "Rule matching", "bench/match: ratios to a loop over the same decoded events."),
    ("proctree", "Process tree", "bench/proctree: updates/s against a bare hash map on the "
     "same stream; heap per live process, 1,000 to 100,000 processes."),
    ("lint", "vigil lint", "bench/lint/run.sh."),
    ("lint_scale", "vigil lint and test against rule count (scale curve)",
     "bench/lint/scale.sh: one run per size under /usr/bin/time."),
]

# gnuplot: (tsv stem, png name, title, xlabel, ylabel, [(column, label)], logscale x)
PLOTS = [
    ("agent_rate", "agent_cpu.png", "Agent CPU against event rate", "delivered events/s",
     "agent CPU, % of one core", [(2, 3, "agent CPU %")], True),
    ("agent_rate", "agent_us_per_event.png", "Agent CPU per event", "delivered events/s",
     "us of CPU per event", [(2, 4, "us/event")], True),
    ("agent_rate", "agent_drops.png", "Ring-buffer drops against offered rate", "offered events/s",
     "events dropped in the step", [(1, 5, "drops")], True),
    ("agent_rate", "agent_latency.png", "Alert latency against event rate", "delivered events/s",
     "ms from open to alert", [(2, 6, "median"), (2, 7, "p99")], True),
    ("proctree_memory", "proctree_memory.png", "Process tree heap against live processes",
     "live processes", "MiB of heap", [(1, 2, "heap MiB")], True),
    ("lint_scale", "lint_scale.png", "vigil lint and test against rule count", "rules",
     "seconds", [(2, 3, "lint", "lint"), (2, 3, "test", "test")], True),
]


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def tsv_rows(path):
    text = read(path)
    if not text:
        return None, []
    lines = text.strip().splitlines()
    header = lines[0].lstrip("# ").split("\t") if lines and lines[0].startswith("#") else None
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return header, rows


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def plot(results, stem, png, title, xlabel, ylabel, series, logx):
    data = os.path.join(results, stem + ".tsv")
    if not os.path.exists(data) or not shutil.which("gnuplot"):
        return False
    parts = []
    for s in series:
        x, y, label = s[0], s[1], s[2]
        if len(s) > 3:  # only the rows whose first column is s[3]
            parts.append(f"'< grep -P \"^{s[3]}\\t\" {data}' using {x}:{y} with linespoints "
                         f"title '{label}'")
        else:
            parts.append(f"'{data}' using {x}:{y} with linespoints title '{label}'")
    script = "\n".join([
        "set terminal pngcairo size 720,420 noenhanced" if _has_cairo() else
        "set terminal png size 720,420 noenhanced",
        f"set output '{os.path.join(results, png)}'",
        f"set title '{title}'", f"set xlabel '{xlabel}'", f"set ylabel '{ylabel}'",
        "set grid", "set key top left", "set datafile separator '\\t'",
        "set logscale x" if logx else "", "set yrange [0:*]",
        "plot " + ", ".join(parts), ""])
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        print(f"report: gnuplot failed on {png}: {r.stderr.strip()}", file=sys.stderr)
        return False
    return True


def _has_cairo():
    r = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in (r.stdout + r.stderr)


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results")
    out = ["# vigil benchmark report", ""]
    machine = read(os.path.join(results, "machine.txt"))
    if machine:
        out += ["Written by `make bench` (scripts/bench.sh, then bench/report.py).", "",
                "```", machine.strip(), "```", ""]
    out += [
        "Every timing below is a ratio to a baseline measured in the same run (no stored "
        "figure is compared), with the median and the spread where the benchmark repeats. "
        "The machine is a shared 2-core VM: other builds and tests run beside the benchmarks, "
        "so absolute figures move from run to run; the ratios of paired runs move much less. "
        "Nothing here is asserted by a test.", ""]
    notes = read(os.path.join(results, "notes.md"))  # optional, written by hand for a run
    if notes:
        out += ["## Notes on this run", "", notes.strip(), ""]
    drawn = {}
    for spec in PLOTS:
        if plot(results, *spec):
            drawn.setdefault(spec[0], []).append(spec[1])
    for stem, title, about in SECTIONS:
        text = read(os.path.join(results, stem + ".txt"))
        header, rows = tsv_rows(os.path.join(results, stem + ".tsv"))
        if stem == "proctree":
            header, rows = tsv_rows(os.path.join(results, "proctree_memory.tsv"))
        if text is None and not rows:
            continue
        out += [f"## {title}", "", about, ""]
        if rows and header and len(header) == len(rows[0]):
            out += [md_table(header, rows), ""]
        for png in drawn.get(stem, []) + (drawn.get("proctree_memory", []) if stem == "proctree" else []):
            out += [f"![{png}]({png})", ""]
        if text is not None:
            text = re.sub(r"\x1b\[[0-9;]*m", "", text).rstrip()
            out += ["```", text if text else "(no output)", "```", ""]
    with open(os.path.join(results, "REPORT.md"), "w") as f:
        f.write("\n".join(out))
    print(f"report: {os.path.join(results, 'REPORT.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
