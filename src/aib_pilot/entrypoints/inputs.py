"""The step inputs both pipeline adapters accept, and how they become CLI arguments.

One table (:data:`INPUTS`) names every input on both platforms (GitHub kebab-case, Azure DevOps
camelCase), the CLI option(s) it maps to, its kind and the values it allows. :func:`build_argv`
validates a ``{github-name: value}`` mapping against the table and against the options the chosen
subcommand really has (read from the CLI's own argparse parser, so the adapters never drift from
the CLI), and returns the argv plus extra environment for secrets. Every bad input yields one
line saying what is wrong and how to fix it.
"""

from __future__ import annotations

import argparse
import os
import shlex
from dataclasses import dataclass, field

from aib_pilot.azure.login_settings import ENVIRONMENTS, accepted_environments, creds_secrets, parse_creds
from aib_pilot.commands.build_inputs import OPTIONS as BUILD_INPUT_OPTIONS
from aib_pilot.commands.lint import LINT_FORMATS
from aib_pilot.errors import UsageError
from aib_pilot.report.livelog import LIVE_LOG_MODES  # one list, owned by the live log

COMMANDS = ("run", "submit", "preflight", "monitor", "diagnose", "lint", "cancel", "cleanup")
AUTH_MODES = ("secret", "certificate", "oidc-github", "oidc-azure-devops", "managed-identity", "cli")
ON_CONFLICT = ("attach", "replace", "fail")
CLEANUP = ("on-success", "always", "never")
CLOUDS = ("AzureCloud", "AzureChinaCloud", "AzureUSGovernment")
BOOL_TRUE = ("true", "yes", "1", "on")
BOOL_FALSE = ("false", "no", "0", "off")


def _camel(name: str) -> str:
    """An input's Azure DevOps name: ``dist-image-tags`` -> ``distImageTags``."""
    first, *rest = name.split("-")
    return first + "".join(part.capitalize() for part in rest)


@dataclass(frozen=True)
class Input:
    """One step input.

    ``options`` lists the CLI spellings tried in order (the first one the subcommand accepts
    wins); ``"@positional"`` means the subcommand's first positional argument. ``kind`` is one of
    ``text``, ``number``, ``bool``, ``choice``, ``lines`` (one CLI option per non-empty line or
    comma-separated item), ``each-line`` (one CLI option per non-empty line, commas kept: values
    may be JSON), ``secret`` (passed through ``env`` instead of argv, never on a command line),
    ``creds`` (azure/login's credentials JSON: checked here, passed through ``env``, its secret
    values masked), ``cloud`` (a cloud or azure/login environment name, any case) or ``args``.
    """

    github: str
    ado: str
    options: tuple[str, ...] = ()
    kind: str = "text"
    choices: tuple[str, ...] = ()
    default: str = ""
    env: str = ""
    help: str = ""
    quiet_if_unused: bool = False  # dropped silently when the command has no such option
    ado_default: str | None = None  # task.json defaultValue when it differs from ``default``
    only_for: tuple[str, ...] = ()  # commands the input applies to (others ignore its default)
    example: str = "50"  # a good value, quoted in the message about a bad number

    def default_for(self, platform: str) -> str:
        if platform == "azure-devops" and self.ado_default is not None:
            return self.ado_default
        return self.default


INPUTS: tuple[Input, ...] = (
    Input("command", "command", kind="choice", choices=COMMANDS, default="run",
          help="what to do: run = submit and monitor in this job"),
    Input("template", "templateFile", ("--template", "@positional"),
          help="image template JSON file (imageTemplate resource or ARM template holding one)"),
    Input("resource-group", "resourceGroup", ("--resource-group",),
          help="resource group of the image template"),
    Input("template-name", "templateName", ("--name",),
          help="image template name (explicit); empty = derived from name-prefix and content"),
    Input("name-prefix", "namePrefix", ("--name-prefix",),
          help="base name; a content hash is appended so reruns never hit 'update not supported'"),
    Input("subscription", "subscription", ("--subscription",), help="subscription id"),
    Input("subscription-id", "subscriptionId", ("--subscription-id",),
          help="subscription id (azure/login's name for subscription)"),
    Input("budget-minutes", "budgetMinutes", ("--budget-minutes", "--budget"), kind="number", ado_default="50",
          help="minutes to monitor before exiting cleanly with state Running"),
    Input("poll-interval", "pollInterval", ("--poll-interval",), kind="number", example="15",
          help="first poll interval in seconds (adaptive afterwards)"),
    Input("live-log", "liveLog", ("--live-log",), kind="choice", choices=LIVE_LOG_MODES, default="filtered",
          env="AIB_PILOT_LIVE_LOG", help="live log shown while monitoring: filtered, full or off (always saved)"),
    Input("on-conflict", "onConflict", ("--on-conflict",), kind="choice", choices=ON_CONFLICT, ado_default="attach",
          help="when a template of that name exists"),
    Input("preflight", "preflight", kind="bool", default="true", env="AIB_PILOT_PREFLIGHT",
          help="run/submit: first check (read-only, seconds) what would fail the build in Azure; false skips it"),
    Input("log-dir", "logDir", ("--log-dir",), default="aib-pilot-logs",
          ado_default="$(Build.ArtifactStagingDirectory)/aib-pilot-logs",
          help="directory where the full customization.log copy is kept"),
    Input("log-file", "logFile", ("--log-file", "--log", "@positional"),
          help="diagnose/lint: a local customization.log (or template) file"),
    Input("tag", "tags", ("--tag",), kind="lines",
          help="KEY=VALUE, one per line: tags for submit, filter for monitor with all"),
    Input("set", "set", ("--set",), kind="each-line",
          help="PATH=VALUE, one per line: change the template before submitting "
               "(e.g. properties.vmProfile.vmSize=Standard_D4s_v5)"),
    Input("parameters", "parameters", ("--parameters",), kind="each-line",
          help="ARM deployment template parameter values: an ARM parameters file, or NAME=VALUE, one per line"),
    Input("provenance", "provenance", kind="bool", default="true", env="AIB_PILOT_PROVENANCE",
          help="run/submit: tag the distributed image with the repository, commit and CI run; false turns it off"),
    Input("cleanup", "cleanup", ("--cleanup",), kind="choice", choices=CLEANUP,
          help="after the run ended and its log is saved: on-success | always | never; empty = the policy "
               "recorded at submit, else on-success"),
    Input("all", "all", ("--all",), kind="bool", default="false",
          help="monitor every template matching the tag filter"),
    Input("cancel-on-interrupt", "cancelOnInterrupt", ("--cancel-on-interrupt",), kind="bool",
          default="true", only_for=("run",),
          help="run: cancel the Azure build when the job is cancelled"),
    Input("auth", "auth", ("--auth",), kind="choice", choices=AUTH_MODES,
          help="credential type; empty = inferred from the environment"),
    Input("tenant-id", "tenantId", ("--tenant-id",), env="AZURE_TENANT_ID", help="Entra tenant"),
    Input("client-id", "clientId", ("--client-id",), env="AZURE_CLIENT_ID",
          help="app (client) id of the service principal / managed identity"),
    Input("client-secret", "clientSecret", kind="secret", env="AZURE_CLIENT_SECRET",
          help="service principal secret (use a secret)"),
    Input("cloud", "cloud", ("--cloud",), kind="cloud", choices=CLOUDS,
          help="national cloud; or give arm-endpoint and authority-host"),
    Input("environment", "", ("--environment",), kind="cloud",
          help="azure/login's name for cloud: azurecloud, azureusgovernment, azurechinacloud or azurestack"),
    Input("creds", "", kind="creds", env="AIB_PILOT_CREDS",
          help="azure/login's creds: the AZURE_CREDENTIALS JSON (clientId, clientSecret, tenantId, subscriptionId)"),
    Input("audience", "", ("--audience",), default="api://AzureADTokenExchange",
          help="audience of the GitHub OIDC token (azure/login's audience)"),
    Input("arm-endpoint", "armEndpoint", ("--arm-endpoint",), help="custom Resource Manager URL"),
    Input("authority-host", "authorityHost", ("--authority-host",), help="custom Entra authority"),
    Input("github-token", "", kind="secret", env="GITHUB_TOKEN",
          help="token for check runs and PR comments"),
    Input("annotate-pr", "", ("--annotate-pr",), kind="bool", default="true", env="AIB_PILOT_ANNOTATE_PR",
          help="create a check run with annotations on the PR head commit when monitoring later"),
    Input("pr-comment", "", ("--pr-comment",), kind="bool", default="false", env="AIB_PILOT_PR_COMMENT",
          help="also post (or update) one PR comment"),
    # Every format some command writes (lint's: the others' plus sarif); build_argv then holds the
    # value to the chosen command's own --format choices.
    Input("format", "format", ("--format",), kind="choice", choices=LINT_FORMATS,
          help="output format (the adapter sets its platform's default)", quiet_if_unused=True),
    Input("extra-args", "extraArgs", kind="args", help="further CLI arguments, shell-quoted"),
) + tuple(
    # Azure/build-vm-image's inputs under its names (docs/migrating.md); the Azure DevOps names are the
    # camelCase forms, with the Microsoft "Azure VM Image Builder" task's names as task.json aliases.
    Input(github, ado, options, only_for=("run", "submit"), help=text)
    for github, ado, options, text in (
        ("action-run-mode", "actionRunMode", (), "build-vm-image: full (run) | buildonly (run) | nowait (submit)"),
        ("resource-group-name", "resourceGroupName", ("--resource-group",), "build-vm-image: same as resource-group"),
        ("image-builder-template-name", "imageBuilderTemplateName", (),
         "build-vm-image: a template name, or a .json path meaning that template file"),
    ) + tuple(  # the rest: the same inputs as the CLI's build-from-inputs options, one table
        (name, _camel(name), (option,), text) for option, name, text in BUILD_INPUT_OPTIONS
    ))

BY_GITHUB = {i.github: i for i in INPUTS}

#: Inputs with two names (aib-pilot's first, azure/login's second): both work; given both, they must agree.
SAME_SETTING = (("subscription", "subscription-id"), ("cloud", "environment"))


def _disagreements(given: dict[str, str], label) -> list[str]:
    problems = []
    for ours, theirs in SAME_SETTING:
        a, b = given.get(ours), given.get(theirs)
        if a and b and a.lower() != b.lower():
            problems.append(f"inputs {label(BY_GITHUB[ours])} ({a!r}) and {label(BY_GITHUB[theirs])} ({b!r}) "
                            f"name the same setting and differ; keep one of them.")
    return problems


@dataclass
class Invocation:
    """What an adapter runs: ``aib-pilot <argv>`` with ``env`` added, or the ``errors``."""

    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def subcommand_parser(command: str) -> argparse.ArgumentParser | None:
    """The argparse parser of ``aib-pilot <command>``, or None when that command is not built."""
    from aib_pilot.cli import build_parser

    for action in build_parser()._actions:  # argparse keeps subparsers as an action
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(command)
    return None


def _accepted(parser: argparse.ArgumentParser) -> tuple[dict[str, argparse.Action], list]:
    options = dict(parser._option_string_actions)
    positionals = [a for a in parser._actions if not a.option_strings]
    return options, positionals


def _number_ok(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False


def _check_value(spec: Input, value: str, label) -> str | None:
    """One line describing what is wrong with ``value``, or None."""
    if spec.kind == "number" and not _number_ok(value):
        return f"input {label(spec)} is {value!r}: give a positive number, e.g. {spec.example}."
    if spec.kind == "bool" and value.lower() not in BOOL_TRUE + BOOL_FALSE:
        return f"input {label(spec)} is {value!r}: use true or false."
    if spec.kind == "choice" and value not in spec.choices:
        return f"input {label(spec)} is {value!r}: use one of {', '.join(spec.choices)}."
    if spec.kind == "cloud" and value.lower() not in ENVIRONMENTS:
        return f"input {label(spec)} is {value!r}: use one of {accepted_environments()} (any case)."
    if spec.kind == "creds":
        try:
            parse_creds(value, f"input {label(spec)}")
        except UsageError as exc:  # the message never quotes the JSON
            return exc.one_line()
    if spec.kind == "lines":
        for line in _lines(value):
            if "=" not in line:
                return f"input {label(spec)} has {line!r}: write KEY=VALUE, one per line."
    return None


def _is_default(value: str, default: str) -> bool:
    """``value`` is the input's default; a ``$(Macro)`` prefix in the default (expanded by the
    agent before we see it) matches any prefix."""
    if "$(" in default and ")" in default:
        return value.endswith(default.split(")", 1)[1])
    return value == default


def _lines(value: str) -> list[str]:
    return [ln.strip() for ln in value.replace(",", "\n").splitlines() if ln.strip()]


def build_argv(values: dict[str, str], *, platform: str = "github",
               parser_for=subcommand_parser) -> Invocation:
    """Validate ``values`` (keyed by GitHub input name) and build the CLI invocation.

    ``platform`` (``github`` or ``azure-devops``) chooses how inputs are named in messages
    (kebab-case or camelCase) and which defaults count as "not set by the user" (action.yml or
    task.json; both platforms always pass every input with its default filled in). An input the
    command does not take is an error unless it still has that default. Empty values count as not
    given.
    """
    def label(spec: Input) -> str:
        return f"'{spec.ado or spec.github}'" if platform == "azure-devops" else f"'{spec.github}'"

    inv = Invocation()
    given = {k: v.strip() for k, v in values.items() if v is not None and v.strip() != ""}
    if "customizer-script" in given:  # a script keeps its own indentation and inner blank lines
        given["customizer-script"] = values["customizer-script"]
    inv.errors += _build_vm_image_names(given, label)
    command = given.get("command", "run")
    # Every input's own value first, so the user sees all bad inputs at once.
    for name, value in given.items():
        spec = BY_GITHUB.get(name)
        problem = _check_value(spec, value, label) if spec else None
        if problem:
            inv.errors.append(problem)
        if spec and spec.kind == "secret":  # masked even when we stop at a bad input
            inv.env[spec.env] = value
            inv.secrets.append(value)
        if spec and spec.kind == "creds":  # the JSON goes by environment; its secret values are masked
            inv.env[spec.env] = value
            inv.secrets += creds_secrets(value)
    inv.errors += _disagreements(given, label)
    if inv.errors:
        return inv
    parser = parser_for(command)
    if parser is None:
        inv.errors.append(f"command {command!r} is not available in this aib-pilot build; "
                          "update the action/task to a release that has it.")
        return inv
    options, positionals = _accepted(parser)
    inv.argv.append(command)
    positional_given = False

    for name, value in given.items():
        spec = BY_GITHUB.get(name)
        if spec is None or name == "command":
            continue
        if spec.kind in ("secret", "creds"):
            continue  # already in inv.env
        if spec.kind == "args":
            try:
                inv.argv.extend(shlex.split(value))
            except ValueError as exc:
                inv.errors.append(f"input {label(spec)} cannot be split into arguments ({exc}); "
                                  "check its quotes.")
            continue
        if spec.only_for and command not in spec.only_for:
            # e.g. a monitor job that hits its timeout must not cancel the build it watches
            if spec.kind != "bool" and not _is_default(value, spec.default_for(platform)):
                inv.errors.append(f"input {label(spec)} only applies to command(s) "
                                  f"{', '.join(spec.only_for)}; remove it for {command!r}.")
            continue
        chosen = next((o for o in spec.options if o in options), None)
        if chosen is None and "@positional" in spec.options and positionals:
            inv.argv.append(value)
            positional_given = True
            continue
        if chosen is None and spec.env:
            # e.g. tenant/client id: azure-identity's own variables; PR publishing switches
            inv.env[spec.env] = ("true" if value.lower() in BOOL_TRUE else "false") if spec.kind == "bool" else value
            continue
        if chosen is None:
            if not spec.quiet_if_unused and not _is_default(value, spec.default_for(platform)):
                inv.errors.append(f"input {label(spec)} is not used by command {command!r}; "
                                  "remove it or choose a command that takes it.")
            continue
        action = options[chosen]
        if spec.kind == "choice" and action.choices is not None and value not in action.choices:
            inv.errors.append(f"input {label(spec)} is {value!r}, which command {command!r} does not take: "
                              f"use one of {', '.join(action.choices)}.")
            continue
        if spec.kind == "bool":
            truthy = value.lower() in BOOL_TRUE
            if action.nargs == 0:
                if truthy:
                    inv.argv.append(chosen)
            else:
                inv.argv += [chosen, "true" if truthy else "false"]
        elif spec.kind in ("lines", "each-line"):
            for line in (_lines(value) if spec.kind == "lines" else
                         [ln.strip() for ln in value.splitlines() if ln.strip()]):
                inv.argv += [chosen, line]
        else:
            inv.argv += [chosen, value]
    if "extra-args" not in given:  # extra arguments may carry what is missing; argparse then judges
        inv.errors += _missing_required(parser, inv.argv[1:], positional_given, command, label)
        if command in ("run", "submit") and "template" not in given and "source-image" not in given:
            inv.errors.append(f"input {label(BY_GITHUB['template'])} is required for command {command!r}: "
                              f"{BY_GITHUB['template'].help}; or build one from the build-vm-image inputs "
                              f"({label(BY_GITHUB['source-image'])} and the others, docs/migrating.md).")
    return inv


def _build_vm_image_names(given: dict[str, str], label) -> list[str]:
    """Fold build-vm-image's three inputs that have no option of their own into aib-pilot's:
    ``action-run-mode`` picks the command, ``image-builder-template-name`` is a template file (a
    ``.json`` path) or the template's name, ``resource-group-name`` is ``resource-group``."""
    problems = []
    mode = given.pop("action-run-mode", "").lower()
    if mode:
        if mode not in ("full", "buildonly", "nowait"):
            problems.append(f"input {label(BY_GITHUB['action-run-mode'])} is {mode!r}: use full, buildonly or nowait.")
        elif given.get("command", "run") in ("run", "submit"):
            given["command"] = "submit" if mode == "nowait" else "run"
    name = given.pop("image-builder-template-name", "")
    if name:
        target = "template" if name.lower().endswith(".json") else "template-name"
        if given.get(target, name) != name:
            problems.append(f"input {label(BY_GITHUB['image-builder-template-name'])} and input "
                            f"{label(BY_GITHUB[target])} differ; give one of them.")
        given[target] = name
    group = given.pop("resource-group-name", "")
    if group:
        if given.get("resource-group", group) != group:
            problems.append(f"input {label(BY_GITHUB['resource-group-name'])} and input "
                            f"{label(BY_GITHUB['resource-group'])} differ; give one of them.")
        given["resource-group"] = group
    return problems


def _missing_required(parser: argparse.ArgumentParser, argv: list[str], positional_given: bool,
                      command: str, label) -> list[str]:
    """Name the step input behind each option the command requires but did not get, so the user
    reads 'input template is required' instead of argparse's '--template/-t is required'."""
    problems = []
    files = parser.get_default("files_required")  # e.g. lint: positional files or --template, not both required
    if files and not positional_given and not any(o in argv for o in files):
        spec = next(i for i in INPUTS if "@positional" in i.options)
        problems.append(f"input {label(spec)} is required for command {command!r}: {spec.help}.")
    for action in parser._actions:
        if action.option_strings:
            if not action.required or any(o in argv or any(a.startswith(o + "=") for a in argv)
                                          for o in action.option_strings):
                continue
            spec = next((i for i in INPUTS if set(i.options) & set(action.option_strings)), None)
        else:
            if action.nargs in ("?", "*") or positional_given:
                continue
            spec = next((i for i in INPUTS if "@positional" in i.options), None)
        if spec is not None:
            problems.append(f"input {label(spec)} is required for command {command!r}: {spec.help}.")
    return problems


def github_values(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """Inputs as the GitHub runner passes them: ``INPUT_`` + upper-cased name, hyphens kept."""
    values = {}
    for spec in INPUTS:
        key = "INPUT_" + spec.github.replace(" ", "_").upper()
        if key in environ:
            values[spec.github] = environ[key]
        elif key.replace("-", "_") in environ:  # the composite action (cli/action.yml) sets these
            values[spec.github] = environ[key.replace("-", "_")]
    return values


def ado_values(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """Inputs as the Azure DevOps agent passes them (``INPUT_`` + upper-cased camelCase name),
    keyed by the GitHub name so both adapters share :func:`build_argv`."""
    values = {}
    for spec in INPUTS:
        if not spec.ado:
            continue
        key = "INPUT_" + spec.ado.upper()
        if key in environ:
            values[spec.github] = environ[key]
    return values
