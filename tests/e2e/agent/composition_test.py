#!/usr/bin/env python3
"""Issue 15 in the running agent: `vigil run --disable-rule/--disable-tag` turn rules off at the
start and at every reload without editing files; a name or tag no rule has stops the agent from
starting (so a typo cannot leave a rule running); a rule's named exception silences it for the
events a tuple matches."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

RULES = """
rule target_ran {{
  desc "the e2e target ran"
  severity high
  tags [e2e]
  on exec
  when proc.exe == "{target}"
  exception quiet_runs: proc.args contains in [vigil-e2e-quiet]
}}
rule target_ran_noisy {{
  desc "the same, tagged noisy"
  severity low
  tags [e2e, noisy]
  on exec
  when proc.exe == "{target}"
}}
rule target_ran_named {{
  desc "the same, disabled by name"
  severity low
  tags [e2e]
  on exec
  when proc.exe == "{target}"
}}
policy e2e {{ rules [tag:e2e] }}
"""

if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    ctx, target = harness.agent_with_target(
        vigil, extra_args=["--disable-rule", "target_ran_named", "--disable-tag", "noisy"])
    ctx.write_policy(RULES.format(target=target))
    with ctx as agent:
        rules = [p.get("rules") for p in agent.status().get("policies", [])]
        if rules != [["target_ran"]]:
            failures.append(f"policy rules at start: {rules}")
        subprocess.run([target, "vigil-e2e-quiet"], check=True)  # excepted
        subprocess.run([target], check=True)
        alerts = agent.wait_alerts(1)
        time.sleep(1)  # anything else the three rules would have sent
        alerts = agent.alerts()
        if [a.get("rule") for a in alerts] != ["target_ran"]:
            failures.append(f"alerts: {[(a.get('rule'), a.get('output')) for a in alerts]}")
        out = subprocess.run([vigil, "reload", "--control-socket", agent.socket],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            failures.append(f"reload failed: {out.stdout}{out.stderr}")
        rules = [p.get("rules") for p in agent.status().get("policies", [])]
        if rules != [["target_ran"]]:
            failures.append(f"policy rules after a reload: {rules}")

    typo, _ = harness.agent_with_target(vigil, extra_args=["--disable-rule", "target_rann"])
    typo.write_policy(RULES.format(target=target))
    try:
        with typo:
            failures.append("the agent started with --disable-rule naming no rule")
    except RuntimeError as e:
        if "--disable-rule target_rann: no loaded rule has this name" not in str(e):
            failures.append(f"the agent stopped, but without saying why: {str(e)[-1500:]}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("ok: disabled by name and tag at start and reload; a typo stops the start; "
              "an exception silences its events")
    sys.exit(1 if failures else 0)
