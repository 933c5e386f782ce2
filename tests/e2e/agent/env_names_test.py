#!/usr/bin/env python3
"""`vigil run --env-names`: the agent reads the named environment variables at exec, so a rule can
test proc.env[NAME] for a name outside the default list; a variable the list leaves out is never
read (the same rule stays quiet when the agent runs with the defaults)."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

RULES = """
rule target_with_marker {{
  desc "the e2e target ran with the marker variable set"
  severity high
  on exec
  when proc.exe == "{target}" and proc.env[VIGIL_E2E_MARK] == "on"
  output "marker={{proc.env[VIGIL_E2E_MARK]}} args={{proc.args}}"
}}
policy e2e {{ rules [target_with_marker] }}
"""


def run_target(target, marked, arg):
    env = dict(os.environ)
    env.pop("VIGIL_E2E_MARK", None)
    if marked:
        env["VIGIL_E2E_MARK"] = "on"
    subprocess.run([target, arg], check=True, env=env)


def alerts_with(vigil, extra_args):
    ctx, target = harness.agent_with_target(vigil, extra_args=extra_args)
    ctx.write_policy(RULES.format(target=target))
    with ctx as agent:
        run_target(target, False, "unmarked")
        run_target(target, True, "marked")
        if "--env-names" in extra_args:
            agent.wait_alerts(1)
        time.sleep(1.5)  # anything else the rule would have sent
        return agent.alerts()


if __name__ == "__main__":
    vigil = sys.argv[1]
    harness.require_root_and_bpf()
    failures = []
    alerts = alerts_with(vigil, ["--env-names", "VIGIL_E2E_MARK,LD_PRELOAD"])
    outputs = [a.get("output", "") for a in alerts]
    if len(alerts) != 1 or "marker=on" not in outputs[0] or "marked" not in outputs[0]:
        failures.append(f"with --env-names VIGIL_E2E_MARK: alerts {outputs}")
    alerts = alerts_with(vigil, [])
    if alerts:
        failures.append("with the default names the agent read VIGIL_E2E_MARK: "
                        f"{[a.get('output') for a in alerts]}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("ok: --env-names makes the agent read a named variable; the defaults do not")
    sys.exit(1 if failures else 0)
