"""Structural checks of the example pipelines against the action and task metadata.

Upstream schemas cannot know our action's inputs/outputs or our Azure DevOps task (the Azure
Pipelines schema enumerates only Microsoft's tasks), so this checks what they cannot:

GitHub workflows (examples/github/*.yml)
  * every ``with:`` key of an aib-pilot step is an input in action.yml;
  * every ``steps.<id>.outputs.<name>`` / ``needs.<job>.outputs.<name>`` chain ends in an
    output that action.yml declares (job outputs are followed to the step they come from);
  * ``needs`` name existing jobs.
Azure Pipelines (examples/azure-devops/*.yml)
  * jobs/stages named in ``dependsOn`` exist; agentless (``pool: server``) jobs use only
    server tasks;
  * every ``AibPilot@0`` input exists in task.json (name or alias), pickList values are allowed,
    and ``budgetMinutes`` stays below the job's ``timeoutInMinutes``;
  * every ``dependencies.<job>.outputs['<step>.<var>']`` and
    ``stageDependencies.<stage>.<job>.outputs['<step>.<var>']`` names an existing job whose
    step ``<step>`` is an AibPilot task declaring ``<var>`` in outputVariables.
With ``--schema-copies DIR`` it also writes copies of the Azure Pipelines files in which each
AibPilot step is replaced by a neutral ``script`` step, for the vendor JSON schema check.

Prints one line per problem; exit 1 if any.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION_USES = re.compile(r"^(\./|aib-pilot/aib-pilot@)")
SERVER_TASKS = {"Delay@1", "InvokeRESTAPI@1", "ManualValidation@0", "ManualValidation@1", "AzureFunction@1"}
STEP_OUTPUT = re.compile(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)")
NEEDS_OUTPUT = re.compile(r"needs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)")
ADO_DEP = re.compile(r"dependencies\.([A-Za-z0-9_]+)\.outputs\[\s*'([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)'\s*\]")
ADO_STAGE_DEP = re.compile(
    r"stageDependencies\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\.outputs\[\s*'([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)'\s*\]")


def load_yaml(path: Path):
    # YAML 1.1 turns a bare `on:` key into True; GitHub means the string.
    data = yaml.safe_load(path.read_text())
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)
    return data


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


# -- GitHub -------------------------------------------------------------------------------------
def check_workflow(path: Path, action: dict, problems: list[str]) -> None:
    wf = load_yaml(path)
    inputs = set((action.get("inputs") or {}).keys())
    outputs = set((action.get("outputs") or {}).keys())
    jobs = wf.get("jobs") or {}
    ours_by_job: dict[str, set[str]] = {}
    for job_id, job in jobs.items():
        needs = job.get("needs") or []
        for need in [needs] if isinstance(needs, str) else needs:
            if need not in jobs:
                problems.append(f"{path}: job {job_id} needs unknown job {need!r}")
        ours = set()
        for step in job.get("steps") or []:
            if ACTION_USES.match(str(step.get("uses", ""))):
                ours.add(step.get("id", ""))
                for key in (step.get("with") or {}):
                    if key not in inputs:
                        problems.append(f"{path}: job {job_id}: aib-pilot input {key!r} is not in action.yml")
        ours_by_job[job_id] = ours
        for text in strings(job):
            for step_id, name in STEP_OUTPUT.findall(text):
                if step_id in ours and name not in outputs:
                    problems.append(f"{path}: job {job_id}: steps.{step_id}.outputs.{name} is not an action output")
    for job_id, job in jobs.items():
        for text in strings(job):
            for need, name in NEEDS_OUTPUT.findall(text):
                declared = (jobs.get(need) or {}).get("outputs") or {}
                if name not in declared:
                    problems.append(f"{path}: job {job_id}: needs.{need}.outputs.{name} is not declared by job {need}")
                    continue
                for step_id, out in STEP_OUTPUT.findall(str(declared[name])):
                    if step_id in ours_by_job.get(need, set()) and out not in outputs:
                        problems.append(f"{path}: job {need}: output {name} reads unknown action output {out!r}")


# -- Azure Pipelines ----------------------------------------------------------------------------
def task_facts(task: dict):
    names, picks = {}, {}
    for inp in task["inputs"]:
        for n in [inp["name"], *inp.get("aliases", [])]:
            names[n] = inp
        if inp["type"] == "pickList":
            picks[inp["name"]] = set(inp.get("options", {}))
    outputs = {o["name"] for o in task.get("outputVariables", [])}
    return names, picks, outputs


def ado_stages(doc: dict) -> list[dict]:
    if "stages" in doc:
        return doc["stages"]
    return [{"stage": "__default", "jobs": doc.get("jobs") or [{"job": "__default", "steps": doc.get("steps", [])}]}]


def is_ours(step: dict) -> bool:
    return str(step.get("task", "")).split("@")[0] == "AibPilot"


def check_pipeline(path: Path, task: dict, problems: list[str]) -> dict:
    doc = yaml.safe_load(path.read_text())
    names, picks, outputs = task_facts(task)
    stages = ado_stages(doc)
    stage_names = {s.get("stage") for s in stages}
    # (stage, job) -> {step name: is AibPilot}
    steps_of: dict[tuple[str, str], dict[str, bool]] = {}
    for stage in stages:
        for dep in _list(stage.get("dependsOn")):
            if dep not in stage_names:
                problems.append(f"{path}: stage {stage.get('stage')} depends on unknown stage {dep!r}")
        jobs = stage.get("jobs") or []
        job_names = {j.get("job") or j.get("deployment") for j in jobs}
        for job in jobs:
            jname = job.get("job") or job.get("deployment")
            for dep in _list(job.get("dependsOn")):
                if dep not in job_names:
                    problems.append(f"{path}: job {jname} depends on unknown job {dep!r}")
            server = job.get("pool") == "server"
            named = {}
            for step in job.get("steps") or []:
                if step.get("name"):
                    named[step["name"]] = is_ours(step)
                if server and "task" not in step:
                    problems.append(f"{path}: agentless job {jname} has a non-task step")
                if server and "task" in step and step["task"] not in SERVER_TASKS:
                    problems.append(f"{path}: agentless job {jname} uses {step['task']}, which needs an agent")
                if is_ours(step):
                    if server:
                        problems.append(f"{path}: job {jname}: AibPilot needs an agent, not pool: server")
                    check_task_step(path, jname, job, step, names, picks, problems)
            steps_of[(stage.get("stage"), jname)] = named
    for stage in stages:
        sname = stage.get("stage")
        for text in strings(stage):
            for job, step, var in ADO_DEP.findall(text):  # same-stage job output
                _check_ref(path, steps_of.get((sname, job)), f"job {job} in stage {sname}", step, var, outputs, problems)
            for ostage, job, step, var in ADO_STAGE_DEP.findall(text):
                _check_ref(path, steps_of.get((ostage, job)), f"job {job} in stage {ostage}", step, var, outputs, problems)
    return doc


def _list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _check_ref(path, named, where, step, var, outputs, problems):
    if named is None:
        problems.append(f"{path}: output reference to unknown {where}")
    elif step not in named:
        problems.append(f"{path}: {where} has no step named {step!r}")
    elif named[step] and var not in outputs:
        problems.append(f"{path}: {where}: {step}.{var} is not an output variable of the task")


def check_task_step(path, jname, job, step, names, picks, problems):
    inputs = step.get("inputs") or {}
    for key, value in inputs.items():
        spec = names.get(key)
        if spec is None:
            problems.append(f"{path}: job {jname}: AibPilot input {key!r} is not in task.json")
            continue
        allowed = picks.get(spec["name"])
        if allowed and "$(" not in str(value) and str(value) not in allowed:
            problems.append(f"{path}: job {jname}: {key}={value!r} is not one of {sorted(allowed)}")
    budget, timeout = inputs.get("budgetMinutes"), job.get("timeoutInMinutes")
    try:
        if budget is not None and timeout is not None and float(budget) >= float(timeout):
            problems.append(f"{path}: job {jname}: budgetMinutes {budget} must be below timeoutInMinutes {timeout}")
    except ValueError:
        pass


def neutral_copy(doc):
    """The pipeline with each AibPilot step replaced by a script step (keeps name/condition).

    Numbers and booleans become strings: the Azure Pipelines parser reads every YAML scalar as a
    string, and Microsoft's schema types them so (``timeoutInMinutes: 60`` fails it otherwise).
    """
    if isinstance(doc, bool):
        return "true" if doc else "false"
    if isinstance(doc, (int, float)):
        return str(doc)
    if isinstance(doc, list):
        return [neutral_copy(x) for x in doc]
    if isinstance(doc, dict):
        if is_ours(doc):
            keep = {k: v for k, v in doc.items() if k in ("name", "displayName", "condition", "env")}
            return {"script": "echo aib-pilot", **keep}
        return {k: neutral_copy(v) for k, v in doc.items()}
    return doc


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema-copies", type=Path, help="write neutral copies of ADO pipelines here")
    args = ap.parse_args()
    problems: list[str] = []
    action = load_yaml(ROOT / "action.yml")
    task = json.loads((ROOT / "task.json").read_text())
    workflows = sorted((ROOT / "examples/github").glob("*.yml"))
    pipelines = sorted((ROOT / "examples/azure-devops").glob("*.yml"))
    if not workflows or not pipelines:
        problems.append("no example workflows/pipelines found")
    for wf in workflows:
        check_workflow(wf, action, problems)
    for pl in pipelines:
        doc = check_pipeline(pl, task, problems)
        if args.schema_copies:
            args.schema_copies.mkdir(parents=True, exist_ok=True)
            (args.schema_copies / pl.name).write_text(yaml.safe_dump(neutral_copy(doc), sort_keys=False))
    for p in problems:
        print(p)
    print(f"validate_examples: {len(workflows)} workflows, {len(pipelines)} pipelines, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
