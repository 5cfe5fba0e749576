"""Prepare and check an `act` run of an example workflow against the local emulator.

``prepare``: makes a throw-away repository that uses the action from its root (``uses: ./``),
holding the example workflow with only what cannot work offline changed:

* our action step: ``uses: aib-pilot/aib-pilot@v0`` -> ``./``; its inputs point at the emulator
  (the same knobs a sovereign-cloud user sets: arm-endpoint, authority-host, a CA bundle through
  REQUESTS_CA_BUNDLE) and pick the emulator scenario with a template tag; polling is fast;
* remote actions (actions/checkout, actions/upload-artifact) are dropped: act would fetch them
  from GitHub; the workspace is bind-mounted instead, and the saved log is checked on disk;
* (the step summary is not changed: act writes it to its own volume and empties it before the
  next step, so run.sh copies it from that volume while the job runs, as a runner would upload it);
* a last step records every output of the action step, as read by a later step, to a file.

``check``: asserts what the issue's done-when asks, from act's log and the workspace:
the annotation on the failing customizer's line, the summary file, the outputs, and no command
injected by the scenario's hostile log text.

``check-chain``: long-build.yml: one template across submit -> monitor-1 (ends on its budget with
state Running and a resume command) -> monitor-2 (gated on that output; finishes Succeeded with
an artifact), and the "still running" job skipped.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
OUR_ACTION = re.compile(r"^aib-pilot/aib-pilot@")
TEMPLATE_IN_REPO = "images/ubuntu-web.json"  # what pr-build.yml builds
TEMPLATES = {"images/ubuntu-web.json": "linux-ubuntu.json", "images/win2022-iis.json": "windows-server.json"}
RECORD_STEP = "Record outputs for the container test"
SUMMARY_FILE = "runner-step-summary.md"  # copied out of act's volume by run.sh
OUTPUTS_FILE = "act-outputs-{job}.json"  # one per job: the action step's outputs, read by a later step
INPUTS_EXAMPLE = "build-from-inputs.yml"
INPUTS_STEP_ID = "build-inputs"
INPUTS_OUTPUTS_FILE = "act-outputs-build-inputs.json"
INPUTS_RG = "rg-images"    # build-from-inputs.yml's resource group, in the emulator's default world
DURATION_TAG = "aib-emulator-duration-minutes"  # the simulated build length, as the emulator reads it


def load_workflow(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text())
    if True in doc:  # YAML 1.1 reads the key `on` as True
        doc["on"] = doc.pop(True)
    return doc


def prepare(args) -> None:
    info = json.loads(Path(args.emulator_info).read_text())
    ws = Path(args.workspace)
    if ws.exists():
        shutil.rmtree(ws)
    (ws / ".github/workflows").mkdir(parents=True)
    (ws / "images").mkdir()
    for name in ("action.yml", "Dockerfile"):
        shutil.copy(ROOT / name, ws / name)
    if args.action == "./cli":
        # The composite action installs the package from its own checkout ($GITHUB_ACTION_PATH/..),
        # offline from a wheelhouse copied into the workspace (the job's PIP_* variables point there).
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, ws / name)
        shutil.copytree(ROOT / "src", ws / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        shutil.copytree(ROOT / "cli", ws / "cli")
        shutil.copytree(args.wheelhouse, ws / "wheelhouse")
    for in_repo, example in TEMPLATES.items():
        shutil.copy(ROOT / "examples/templates" / example, ws / in_repo)
    shutil.copy(info["ca_bundle"], ws / "emulator-ca.pem")

    wf = load_workflow(ROOT / "examples/github" / args.example)
    budgets = dict(b.split("=", 1) for b in args.budget or [])
    for job_id, job in wf["jobs"].items():
        steps, step_id = [], None
        for step in job.get("steps", []):
            uses = str(step.get("uses", ""))
            if OUR_ACTION.match(uses):
                step["uses"] = args.action
                step.setdefault("with", {}).update({
                    "resource-group": info["resource_group"],
                    "subscription": info["subscription"],
                    "tenant-id": info["tenant"],
                    "client-id": info["client_id"],
                    "client-secret": info["client_secret"],
                    "arm-endpoint": info["arm"],
                    "authority-host": info["authority"],
                    "github-token": "",
                })
                command = step["with"].get("command", "run")
                if command in ("run", "submit"):
                    step["with"]["tag"] = f"aib-emulator-scenario={args.scenario}"
                    step["with"]["preflight"] = "false"  # the emulator serves no estate world here
                    if args.duration_minutes:   # simulated build length, as the emulator reads it
                        step["with"]["tag"] += f"\n{DURATION_TAG}={args.duration_minutes}"
                if command in ("run", "monitor"):
                    step["with"].update({"poll-interval": "1", "budget-minutes": budgets.get(job_id, "4")})
                step["env"] = {
                    "REQUESTS_CA_BUNDLE": "${{ github.workspace }}/emulator-ca.pem",
                    "SSL_CERT_FILE": "${{ github.workspace }}/emulator-ca.pem",
                }
                if args.action == "./cli":
                    step["env"].update({"PIP_NO_INDEX": "1",
                                        "PIP_FIND_LINKS": "${{ github.workspace }}/wheelhouse"})
                step_id = step["id"]
            elif uses:
                continue  # remote action: not reachable offline
            steps.append(step)
        if step_id is None:
            job["steps"] = steps
            continue
        records = [(step_id, OUTPUTS_FILE.format(job=job_id), {})]
        if args.with_inputs_build:
            steps += inputs_build_steps(info, args)
            records.append((INPUTS_STEP_ID, INPUTS_OUTPUTS_FILE, {
                f"github.{k}": f"${{{{ github.{k} }}}}" for k in ("repository", "run_id", "workflow", "sha")}))
        steps.append(record_step(*records))
        job["steps"] = steps
        job.pop("timeout-minutes", None)
    if args.with_inputs_build:   # what the example's "Build the app" step copies into the image
        (ws / "app").mkdir()
        (ws / "app/install.sh").write_text("#!/bin/sh\nset -e\ninstall -d /var/www/web\n"
                                           "cp /opt/app/index.html /var/www/web/\n")
        (ws / "app/index.html").write_text("<h1>web</h1>\n")
    (ws / ".github/workflows" / args.example).write_text(yaml.safe_dump(wf, sort_keys=False))
    event = {"pull_request": {"number": 7, "head": {"sha": "0" * 40, "ref": "feature"},
                              "base": {"ref": "main"}}, "number": 7}
    (ws / "event.json").write_text(json.dumps(event))
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "commit", "-qm", "example"]):
        subprocess.run(cmd, cwd=ws, check=True)


def record_step(*records: tuple[str, str, dict[str, str]]) -> dict:
    """A step (always run) that writes, for each (step id, file name, extra) record, the outputs of
    that step as a later step reads them, plus ``extra`` (name -> expression), to that file in the
    workspace. One step for several records: every act step costs seconds."""
    fields = sorted(yaml.safe_load((ROOT / "action.yml").read_text())["outputs"])
    env, files = {}, []
    for step_id, file_name, extra in records:
        values = {name: f"${{{{ steps.{step_id}.outputs.{name} }}}}" for name in fields}
        values.update(extra)
        keys = {}
        for name, expr in values.items():
            keys[name] = f"V{len(env)}"
            env[keys[name]] = expr
        files.append((file_name, keys))
    script = "".join(f"json.dump({{k: os.environ[v] for k, v in {keys!r}.items()}}, open({name!r}, 'w'), indent=1)\n"
                     for name, keys in files)
    return {"name": RECORD_STEP, "if": "always()", "env": env,
            "run": "python3 - <<'PY'\nimport json, os\n" + script + "PY"}


def inputs_build_steps(info: dict, args) -> list[dict]:
    """The steps of build-from-inputs.yml, for the end of the composite action's PR job: the second
    build reuses the job's container and the virtual environment the first ``uses: ./cli`` step
    installed (one act job instead of two saves a container start and an install).

    Only what cannot work offline changes: the remote steps go, the action step points at the
    emulator (sign-in knobs, the emulated subscription inside ``dist-resource-id``; ``rg-images``
    and the identity ``aib-identity`` exist in the emulator's default estate world; a template tag
    makes the simulated build short), its id becomes ``build-inputs``, each step runs ``if: always()``
    because the PR build before it fails, and the example's closing report step is left out (the
    record step reads the same outputs; every act step costs seconds)."""
    wf = load_workflow(ROOT / "examples/github" / INPUTS_EXAMPLE)
    (job,) = wf["jobs"].values()
    steps = []
    for step in job["steps"]:
        uses = str(step.get("uses", ""))
        if uses and not OUR_ACTION.match(uses):
            continue
        if any(s.get("id") == INPUTS_STEP_ID for s in steps):
            break  # the example's report step: the record step below reads the outputs instead
        step = json.loads(json.dumps(step).replace("steps.build.", f"steps.{INPUTS_STEP_ID}."))
        step["if"] = "always()"
        step["name"] = f"{step.get('name', 'step')} ({INPUTS_EXAMPLE})"
        if OUR_ACTION.match(uses):
            step["id"] = INPUTS_STEP_ID
            step["uses"] = args.action
            knobs = step["with"]
            knobs["dist-resource-id"] = knobs["dist-resource-id"].replace(
                "${{ vars.AZURE_SUBSCRIPTION_ID }}", info["subscription"])
            knobs.update({"subscription-id": info["subscription"], "tenant-id": info["tenant"],
                          "client-id": info["client_id"], "client-secret": info["client_secret"],
                          "arm-endpoint": info["arm"], "authority-host": info["authority"],
                          "github-token": "", "poll-interval": "1", "budget-minutes": "4",
                          # a 3-minute build (0.6 s at the emulator's speed 300) instead of 25
                          "tag": f"{DURATION_TAG}=3"})
            step["env"] = {"REQUESTS_CA_BUNDLE": "${{ github.workspace }}/emulator-ca.pem",
                           "SSL_CERT_FILE": "${{ github.workspace }}/emulator-ca.pem"}
        steps.append(step)
    return steps


def customizer_span(template_text: str, name: str) -> tuple[int, int]:
    """First and last line of the customizer object whose "name" is ``name`` (1-based)."""
    lines = template_text.splitlines()
    at = next(i for i, ln in enumerate(lines) if re.search(rf'"name"\s*:\s*"{re.escape(name)}"', ln))
    start = max(i for i in range(at + 1) if lines[i].strip().startswith("{"))
    depth, end = 0, start
    for end in range(start, len(lines)):
        depth += lines[end].count("{") - lines[end].count("}")
        if depth == 0:
            break
    return start + 1, end + 1


def check(args) -> int:
    ws = Path(args.workspace)
    log = Path(args.act_log).read_text(errors="replace")
    problems: list[str] = []
    outputs_path = ws / OUTPUTS_FILE.format(job=args.job)
    if not outputs_path.exists():
        print(f"act check: FAIL: the step after the action did not run ({outputs_path.name} missing)")
        return 1
    outputs = json.loads(outputs_path.read_text())

    # Outputs, read by the next step.
    if outputs.get("state") != "Failed":
        problems.append(f"state output is {outputs.get('state')!r}, expected 'Failed'")
    for name in ("template-name", "template-id", "category", "phase", "failed-customizer",
                 "failed-customizer-line", "log-path", "diagnosis-json"):
        if not outputs.get(name):
            problems.append(f"output {name} is empty")
    log_path = outputs.get("log-path", "")
    if log_path and not (ws / log_path).is_file() and not Path(log_path).is_file():
        problems.append(f"log-path {log_path!r} does not exist in the workspace")
    try:
        diag = json.loads(outputs.get("diagnosis-json") or "{}")
        if diag.get("schema") != "aib-pilot/diagnosis/v1" or diag.get("status") != "failed":
            problems.append("diagnosis-json is not a failed aib-pilot/diagnosis/v1 object")
    except ValueError:
        problems.append("diagnosis-json is not JSON")

    # The annotation, on the failing customizer's line of the template.
    customizer = outputs.get("failed-customizer", "")
    template = (ws / TEMPLATE_IN_REPO).read_text()
    errors = re.findall(r"::error file=([^,:]+),line=(\d+)[^:]*::", log)
    if not customizer:
        problems.append("no failed customizer to look for")
    else:
        first, last = customizer_span(template, customizer)
        hits = [(f, int(n)) for f, n in errors if f.endswith(TEMPLATE_IN_REPO) and first <= int(n) <= last]
        if not hits:
            problems.append(f"no ::error annotation on {TEMPLATE_IN_REPO} lines {first}-{last} "
                            f"(customizer {customizer}); annotations seen: {errors}")

    # The summary file.
    summary = ws / SUMMARY_FILE
    if not summary.is_file() or "Failed" not in summary.read_text():
        problems.append(f"step summary {SUMMARY_FILE} missing or does not say Failed")
    elif customizer and customizer not in summary.read_text():
        problems.append("step summary does not name the failing customizer")

    # Hostile text: nothing the log planted may have been executed as a command. act prints each
    # workflow command it processed; every such command must be one of ours.
    processed = [ln for ln in log.splitlines() if re.search(r"(❗|⚠|⚙|💬)\s+::", ln)]
    # The composite action's own steps' outputs (its install step passes the venv's python on).
    composite = ws / "cli/action.yml"
    internal = set()
    if composite.exists():
        install = next(st for st in yaml.safe_load(composite.read_text())["runs"]["steps"] if st.get("id") == "install")
        internal = set(re.findall(r'echo "(\w+)=', install["run"]))  # what it writes to GITHUB_OUTPUT
    for line in processed:
        if "::error" in line or "::warning" in line or "::notice" in line:
            if "title=AIB" not in line and "aib-pilot" not in line:
                problems.append(f"foreign annotation processed: {line.strip()[:200]}")
        elif "::set-output::" in line:
            name = line.split("::set-output::", 1)[1].strip().split("=", 1)[0]
            if name not in outputs and name not in internal:
                problems.append(f"foreign output set: {line.strip()[:200]}")
        elif not re.search(r"::(add-mask|group|endgroup|debug|stop-commands|[A-Za-z0-9]{16,})::", line):
            problems.append(f"unexpected command processed: {line.strip()[:200]}")
    def ours(line: str) -> bool:
        """Our own annotation or output: hostile text may appear inside it as (escaped) data."""
        if "title=AIB" in line:
            return True
        m = re.search(r"::set-output::\s*([A-Za-z0-9_-]+)=", line)
        return bool(m and m.group(1) in outputs)

    for marker in args.hostile_marker or []:
        for line in processed:
            if marker in line and not ours(line):
                problems.append(f"hostile marker {marker!r} reached a processed command: {line.strip()[:200]}")
        for name, value in outputs.items():
            if marker in value and name not in ("diagnosis-json",):
                problems.append(f"hostile marker {marker!r} landed in output {name}")

    texts = {"act log": log, "summary": summary.read_text() if summary.is_file() else "",
             "outputs": json.dumps(outputs)}
    for secret in args.secret or []:
        for where, text in texts.items():
            if secret in text:
                problems.append(f"secret {secret[:6]}... from the log is printed in the {where}")

    for p in problems:
        print(f"act check: FAIL: {p}")
    if not problems:
        print(f"act check: PASS: state={outputs['state']} category={outputs['category']} "
              f"customizer={customizer} line={outputs['failed-customizer-line']} "
              f"annotations={len(errors)} summary={summary.stat().st_size}B "
              f"processed-commands={len(processed)}")
    return 1 if problems else 0


def check_chain(args) -> int:
    """long-build.yml: submit, monitor-1 ends on its budget (Running), monitor-2 resumes and finishes."""
    ws = Path(args.workspace)
    problems = []
    out = {}
    for job in ("submit", "monitor-1", "monitor-2"):
        path = ws / OUTPUTS_FILE.format(job=job)
        if not path.exists():
            problems.append(f"job {job} did not record outputs (it did not run or its action step failed early)")
            continue
        out[job] = json.loads(path.read_text())
    if len(out) == 3:
        names = {o["template-name"] for o in out.values()}
        if len(names) != 1 or "" in names:
            problems.append(f"the jobs did not work on one template: {names}")
        if out["monitor-1"]["state"] != "Running":
            problems.append(f"monitor-1 should end on its budget with Running, got {out['monitor-1']['state']!r}")
        if not out["monitor-1"]["resume-command"]:
            problems.append("monitor-1 gave no resume-command")
        if out["monitor-2"]["state"] != "Succeeded" or not out["monitor-2"]["artifact-id"]:
            problems.append(f"monitor-2 should finish Succeeded with an artifact, got {out['monitor-2']['state']!r}")
    log = Path(args.act_log).read_text(errors="replace")
    if re.search(r"/still-running\]\s+⭐ Run Main", log):
        problems.append("the still-running job ran although monitor-2 finished")
    return verdict("act chain check", problems, lambda: (
        f"{out['submit']['template-name']}: monitor-1 Running (resume: {out['monitor-1']['resume-command'][:60]}...), "
        f"monitor-2 Succeeded, artifact {out['monitor-2']['artifact-id'].rsplit('/', 1)[-1]}"))


def verdict(label: str, problems: list[str], passed) -> int:
    """Print each problem, or ``passed()`` when there is none; the exit code."""
    for problem in problems:
        print(f"{label}: FAIL: {problem}")
    if not problems:
        print(f"{label}: PASS: {passed()}")
    return 1 if problems else 0


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def check_inputs(args) -> int:
    """build-from-inputs.yml through the composite action: what the issue's done-when asks of the
    GitHub entrypoint, read from the recorded outputs, the saved template and what the emulator
    recorded (``python -m tests.emulator --record``: every request, every accepted template body)."""
    ws, rec = Path(args.workspace), Path(args.record)
    info = json.loads(Path(args.emulator_info).read_text())
    problems: list[str] = []
    path = ws / INPUTS_OUTPUTS_FILE
    if not path.exists():
        print(f"act inputs check: FAIL: the step after the build did not run ({path.name} missing)")
        return 1
    out = json.loads(path.read_text())
    name = out.get("template-name", "")
    if out.get("state") != "Succeeded" or out.get("imagebuilder-run-status") != "succeeded":
        problems.append(f"state {out.get('state')!r} / imagebuilder-run-status {out.get('imagebuilder-run-status')!r}, "
                        "expected Succeeded / succeeded")
    submitted = [t for t in read_jsonl(rec / "templates.jsonl") if t["name"] == name and t["resourceGroup"] == INPUTS_RG]
    if len(submitted) != 1:
        problems.append(f"the emulator accepted {len(submitted)} templates named {name!r} in {INPUTS_RG}, expected 1")
        body = {}
    else:
        body = submitted[0]["body"]
    props = body.get("properties") or {}
    customize = props.get("customize") or [{}]
    dist = (props.get("distribute") or [{}])[0]
    journal = read_jsonl(rec / "journal.jsonl")

    def requests(service: str, method: str, needle: str, statuses=None) -> list[dict]:
        return [e for e in journal if e["service"] == service and e["method"] == method
                and needle.lower() in e["path"].lower() and (statuses is None or e["status"] in statuses)]

    if body:
        # the template: the platform image, the payload by a File customizer, the inline script, the image
        if props.get("source", {}).get("offer") != "0001-com-ubuntu-server-jammy":
            problems.append(f"source is not the example's platform image: {props.get('source')}")
        payload = customize[0].get("sourceUri", "")
        if customize[0].get("type") != "File" or not payload.startswith(info["blob"] + "/") or "sig=" in payload:
            problems.append(f"the first customizer does not fetch the payload from the blob store without a SAS: {customize[0]}")
        elif not requests("blob", "PUT", payload.removeprefix(info["blob"]), (201,)):
            problems.append(f"no blob upload of {payload} was recorded (the payload the template references)")
        if not any("sudo bash /opt/app/install.sh" in " ".join(c.get("inline") or []) for c in customize):
            problems.append("the inline customizer-script is not in the template")
        if dist.get("type") != "ManagedImage" or dist.get("imageId") != out.get("custom-image-uri"):
            problems.append(f"custom-image-uri {out.get('custom-image-uri')!r} is not the ManagedImage distribution "
                            f"{dist.get('imageId')!r}")
        if not re.fullmatch(rf"/subscriptions/{info['subscription']}/resourceGroups/{INPUTS_RG}/providers/"
                            r"Microsoft\.Compute/images/web-\d+", dist.get("imageId", "")):
            problems.append(f"the image id is not the example's dist-resource-id: {dist.get('imageId')!r}")
        if out.get("run-output-name") != dist.get("runOutputName"):
            problems.append("output run-output-name is not the distribution's runOutputName")
        # provenance: this run's repository, commit (the PR head, as for a pull_request event), run, workflow
        event = json.loads((ws / "event.json").read_text())
        tags = dist.get("artifactTags") or {}
        want = {"aib-pilot.repo": out.get("github.repository"),
                "aib-pilot.commit": event["pull_request"]["head"]["sha"],
                "aib-pilot.workflow": out.get("github.workflow")}
        for tag, value in want.items():
            if not value or tags.get(tag) != value:
                problems.append(f"distribution tag {tag} is {tags.get(tag)!r}, expected {value!r}")
        if not re.search(rf"/actions/runs/{out.get('github.run_id')}(/attempts/\d+)?$", tags.get("aib-pilot.run-url", "")):
            problems.append(f"distribution tag aib-pilot.run-url {tags.get('aib-pilot.run-url')!r} is not this run's")
        # cleanup on-success: the template and the storage account holding the payload are deleted
        created = (body.get("tags") or {}).get("aib-pilot-created-account", "")
        if not requests("arm", "DELETE", f"/resourceGroups/{INPUTS_RG}/providers/Microsoft.VirtualMachineImages/"
                        f"imageTemplates/{name}", (200, 202)):
            problems.append(f"template {name} was not deleted after the good build (cleanup: on-success)")
        if not created or not requests("arm", "DELETE", created, (200,)):
            problems.append(f"the storage account aib-pilot created for the payload ({created or 'none recorded'}) "
                            "was not deleted")
    if not (ws / "aib-pilot-logs" / name / "image-template.json").is_file():
        problems.append(f"the written template is not saved as aib-pilot-logs/{name}/image-template.json")
    if "Traceback" in Path(args.act_log).read_text(errors="replace"):
        problems.append("a Python traceback is in the act log")
    return verdict("act inputs check", problems, lambda: (
        f"{name}: {out['imagebuilder-run-status']}, image {out['custom-image-uri'].rsplit('/', 1)[-1]}, payload "
        f"uploaded and referenced, {sum(k.startswith('aib-pilot.') for k in dist.get('artifactTags', {}))} "
        "provenance tags, template and payload account deleted"))


def main() -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--emulator-info", required=True)
    p.add_argument("--workspace", required=True)
    p.add_argument("--example", default="pr-build.yml")
    p.add_argument("--scenario", required=True)
    p.add_argument("--budget", action="append", help="JOB=MINUTES budget for that job's action step")
    p.add_argument("--duration-minutes", type=int, help="simulated length of the build (template tag)")
    p.add_argument("--action", default="./", choices=("./", "./cli"),
                   help="the container action (./) or the composite one (./cli)")
    p.add_argument("--wheelhouse", help="with --action ./cli: the package's dependencies as wheels")
    p.add_argument("--with-inputs-build", action="store_true",
                   help="append build-from-inputs.yml's steps to the job (the emulator needs --world default)")
    c = sub.add_parser("check")
    c.add_argument("--workspace", required=True)
    c.add_argument("--job", default="build")
    c.add_argument("--act-log", required=True)
    c.add_argument("--hostile-marker", action="append", help="text only the hostile log contains")
    c.add_argument("--secret", action="append", help="a secret planted in the log; must be printed nowhere")
    ch = sub.add_parser("check-chain")
    ch.add_argument("--workspace", required=True)
    ch.add_argument("--act-log", required=True)
    ci = sub.add_parser("check-inputs")
    ci.add_argument("--workspace", required=True)
    ci.add_argument("--act-log", required=True)
    ci.add_argument("--emulator-info", required=True)
    ci.add_argument("--record", required=True, help="the emulator's --record folder")
    args = ap.parse_args()
    if args.cmd == "prepare":
        prepare(args)
        return 0
    return {"check": check, "check-chain": check_chain, "check-inputs": check_inputs}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
