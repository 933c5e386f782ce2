#!/usr/bin/env python3
"""Generates a realistic rule set for the lint benchmark: N rules spread over F files, with
shared lists and macros, varied operators, tests for every rule and a few policies.
usage: gen_rules.py OUT_DIR N_RULES N_FILES"""
import os
import random
import sys

out, n_rules, n_files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
os.makedirs(out, exist_ok=True)
names = ["bash", "sh", "python3", "curl", "wget", "nc", "socat", "perl", "ruby", "node", "java",
         "sshd", "sudo", "cron", "systemd", "nginx", "apache2", "mysqld", "postgres", "redis-server"]
paths = ["/etc/shadow", "/etc/passwd", "/etc/sudoers", "/root/.ssh/authorized_keys",
         "/etc/cron.d/job", "/var/log/auth.log", "/tmp/x", "/dev/shm/y", "/etc/ld.so.preload"]
tags = ["execution", "persistence", "credential_access", "defense_evasion", "discovery"]
files = [[] for _ in range(n_files)]
n_lists = max(1, n_rules // 20)
n_macros = max(1, n_rules // 20)
for i in range(n_lists):
    items = ", ".join(rng.sample(names, 5))
    files[i % n_files].append(f"list names_{i} = [{items}]")
for i in range(n_macros):
    files[i % n_files].append(
        f'macro m_{i} = proc.parent.name in names_{i % n_lists} and not evt.failed')
templates = [
    ('open', 'file.path startswith "{p}" and open.write and proc.name not in names_{l} and m_{m}',
     'file.path: "{p}", open.write: true, proc.name: "zz"'),
    ('exec', 'proc.name in names_{l} and proc.exe glob "/usr/*/{n}" and m_{m}',
     'proc.name: "{n}", proc.exe: "/usr/bin/{n}"'),
    ('exec', 'proc.cmdline matches "{n} .*-[ec] " and proc.uid != 0 and m_{m}',
     'proc.cmdline: "{n} -e x"'),
    ('connect', 'net.dport in [4444, 1337, 31337] and net.daddr in [cidr("10.0.0.0/8")] and m_{m}',
     'net.dport: 4444, net.daddr: "10.1.2.3"'),
    ('open', 'file.path in ["{p}"] and open.read and lower(proc.name) != "{n}" and m_{m}',
     'file.path: "{p}", open.read: true'),
]
for i in range(n_rules):
    ev, cond, fields = rng.choice(templates)
    n, p = rng.choice(names), rng.choice(paths)
    l, m = rng.randrange(n_lists), rng.randrange(n_macros)
    c = cond.format(n=n, p=p, l=l, m=m)
    f = fields.format(n=n, p=p)
    files[i % n_files].append(
        f'rule r_{i} {{\n  desc "generated rule {i}"\n  severity {rng.choice(["low", "medium", "high"])}\n'
        f'  mitre [T1059.004]\n  tags [{rng.choice(tags)}]\n  on {ev}\n  when {c}\n'
        f'  output "{{proc.name}} (pid {{proc.pid}}) rule {i}"\n}}\n'
        f'test r_{i} {{ alert {ev} {{ {f} }} }}')
for t in tags:
    files[0].append(f'policy p_{t} {{ scope uid >= 0 rules [tag:{t}] }}')
for k, decls in enumerate(files):
    with open(os.path.join(out, f"rules_{k:02d}.vgl"), "w") as fh:
        fh.write("\n\n".join(decls) + "\n")
