"""Options shared by the Azure commands, with their environment-variable fallbacks.

Precedence: command-line option, then ``AIB_PILOT_*`` variable, then the standard azure-identity /
Azure CLI variable (AZURE_SUBSCRIPTION_ID, AZURE_TENANT_ID, AZURE_AUTHORITY_HOST, ...).
"""

from __future__ import annotations

import argparse
import math
import os
import re
from pathlib import Path
from typing import Mapping

from aib_pilot.errors import UsageError
from aib_pilot.report.livelog import LIVE_LOG_MODES  # one list, owned by the live log

FORMATS = ("text", "json", "github", "azure-devops", "markdown")
DEFAULT_LOG_DIR = "aib-pilot-logs"


def add_target_options(parser: argparse.ArgumentParser, *, name_required: bool = False, many: bool = False) -> None:
    group = parser.add_argument_group("image template")
    group.add_argument("--subscription", metavar="ID",
                       help="subscription id (default: AZURE_SUBSCRIPTION_ID)")
    group.add_argument("--subscription-id", metavar="ID",
                       help="the same, under azure/login's name")
    group.add_argument("--resource-group", "-g", metavar="RG",
                       help="resource group of the image template (default: AIB_PILOT_RESOURCE_GROUP)")
    if many:
        group.add_argument("--name", "-n", metavar="NAME", action="append",
                           help="image template name (repeat to watch several)")
    else:
        group.add_argument("--name", "-n", metavar="NAME", required=name_required,
                           help="image template name (default: AIB_PILOT_TEMPLATE_NAME)")


def add_azure_options(parser: argparse.ArgumentParser) -> None:
    from aib_pilot.azure.auth import AUTH_MODES

    group = parser.add_argument_group("Azure connection")
    group.add_argument("--auth", choices=AUTH_MODES, metavar="MODE",
                       help="how to sign in: " + ", ".join(AUTH_MODES)
                       + " (default: AIB_PILOT_AUTH, else inferred from the environment)")
    group.add_argument("--service-connection-id", metavar="GUID",
                       help="Azure DevOps service connection id for --auth oidc-azure-devops "
                       "(default: AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)")
    group.add_argument("--cloud", metavar="NAME",
                       help="AzureCloud (default), AzureChinaCloud, AzureUSGovernment or AzureStack, in any case")
    group.add_argument("--environment", metavar="NAME",
                       help="the same, under azure/login's name (azurecloud, azureusgovernment, ...)")
    group.add_argument("--creds", metavar="VARIABLE",
                       help="name of the environment variable holding azure/login's creds JSON (clientId, "
                       "clientSecret, tenantId, subscriptionId); never the JSON itself (default: AIB_PILOT_CREDS)")
    group.add_argument("--audience", metavar="URI",
                       help="audience of the GitHub OIDC token (default: AIB_PILOT_OIDC_AUDIENCE, else "
                       "api://AzureADTokenExchange)")
    group.add_argument("--arm-endpoint", metavar="URL",
                       help="custom Resource Manager endpoint (default: AIB_PILOT_ARM_ENDPOINT)")
    group.add_argument("--authority-host", metavar="URL",
                       help="custom Entra ID authority host (default: AZURE_AUTHORITY_HOST or AIB_PILOT_AUTHORITY_HOST)")


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", choices=FORMATS, default=None,
                        help="output format (default: AIB_PILOT_FORMAT, else github inside GitHub Actions, "
                        "azure-devops inside Azure Pipelines, else text); json prints one object as the last line")


def add_monitor_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("monitoring")
    group.add_argument("--budget", type=number_text, metavar="MINUTES",
                       help="stop cleanly (state Running, exit 0) before this many minutes; fractions allowed "
                       "(default: AIB_PILOT_BUDGET, else wait until the run ends)")
    group.add_argument("--log-dir", metavar="DIR",
                       help=f"where the full customization.log is saved as it grows (default: AIB_PILOT_LOG_DIR or ./{DEFAULT_LOG_DIR})")
    group.add_argument("--poll-interval", type=number_text, metavar="SECONDS",
                       help="first poll interval; it grows to 4x while nothing changes (default 15)")
    group.add_argument("--template", metavar="FILE",
                       help="the template JSON file, to point diagnoses at the failing customizer's line")
    add_live_log_and_pr_options(group)




def add_live_log_and_pr_options(group) -> None:
    """``--live-log``, ``--annotate-pr``, ``--pr-comment``: shared by ``monitor`` and ``run``."""
    group.add_argument("--live-log", choices=LIVE_LOG_MODES, default=None,
                       help="what of the live log to print: filtered (the customizers' output and errors, "
                       "default), full (every line) or off; the whole log is saved either way "
                       "(default: AIB_PILOT_LIVE_LOG)")
    group.add_argument("--no-live-log", action="store_true", help="same as --live-log off")
    group.add_argument("--annotate-pr", nargs="?", const="true", type=_true_or_false, metavar="true|false",
                       help="when the run has ended, create or update a GitHub check run with annotations on the "
                       "PR head commit recorded at submit (needs GITHUB_TOKEN with checks: write); skipped inside "
                       "the workflow run that submitted (default: AIB_PILOT_ANNOTATE_PR, else false)")
    group.add_argument("--pr-comment", nargs="?", const="true", type=_true_or_false, metavar="true|false",
                       help="also create or update one comment on that PR (needs pull-requests: write) "
                       "(default: AIB_PILOT_PR_COMMENT, else false)")


_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off")


def _true_or_false(value: str) -> str:
    if str(value).strip().lower() not in _TRUE + _FALSE:
        raise argparse.ArgumentTypeError(f"{value!r} is not true or false")
    return str(value).strip().lower()


def flag(args, attr: str, env_name: str, env: Mapping[str, str] | None = None) -> bool:
    """A true/false option: the command line, else the variable ``env_name``, else false."""
    env = os.environ if env is None else env
    value = getattr(args, attr, None)
    source = "--" + attr.replace("_", "-")
    if value is None:
        value, source = env.get(env_name, "").strip(), env_name
    if value in (None, ""):
        return False
    if str(value).lower() not in _TRUE + _FALSE:
        raise UsageError(f"{source}={value!r} is not true or false.", hint=f"Set {source} to true or false.")
    return str(value).lower() in _TRUE


def on_unless(args, off_switch: str, env_name: str, env: Mapping[str, str] | None = None) -> bool:
    """A feature that is on by default: off with the ``--no-...`` switch (``off_switch`` is its
    attribute) or ``env_name=false``; a value that is not true/false is a UsageError."""
    if getattr(args, off_switch, False):
        return False
    env = os.environ if env is None else env
    if not env.get(env_name, "").strip():
        return True
    return flag(argparse.Namespace(), "-", env_name, env)


def live_log(args, env: Mapping[str, str] | None = None) -> str | None:
    """The live-log mode chosen on the command line, else None (the report layer then reads
    AIB_PILOT_LIVE_LOG and defaults to filtered)."""
    if getattr(args, "no_live_log", False):
        return "off"
    return getattr(args, "live_log", None)


def check_live_log(args, env: Mapping[str, str] | None = None) -> str:
    """The live-log mode, from the option or AIB_PILOT_LIVE_LOG, checked now (before signing in)."""
    from aib_pilot.report.livelog import live_log_mode

    return live_log_mode(live_log(args), os.environ if env is None else env)


def env_or(value, env: Mapping[str, str], *names: str):
    if value not in (None, "", []):
        return value
    for name in names:
        if env.get(name):
            return env[name]
    return None


def resolve_format(args, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    fmt = getattr(args, "format", None) or env.get("AIB_PILOT_FORMAT")
    if fmt:
        if fmt not in FORMATS:
            raise UsageError(f"AIB_PILOT_FORMAT={fmt!r} is not a format.", hint=f"Use one of {', '.join(FORMATS)}.")
        return fmt
    if env.get("GITHUB_ACTIONS") == "true":
        return "github"
    if env.get("TF_BUILD"):
        return "azure-devops"
    return "text"


def resource_group(args, env: Mapping[str, str] | None = None, *, required: bool = True) -> str | None:
    env = os.environ if env is None else env
    rg = env_or(getattr(args, "resource_group", None), env, "AIB_PILOT_RESOURCE_GROUP")
    if not rg and required:
        raise UsageError("No resource group given.", hint="Add --resource-group RG (or set AIB_PILOT_RESOURCE_GROUP).")
    if rg and (not RESOURCE_GROUP_RE.match(rg) or rg.endswith(".")):
        source = "--resource-group" if getattr(args, "resource_group", None) else "AIB_PILOT_RESOURCE_GROUP"
        raise UsageError(f"{source} {rg!r} is not a valid resource group name.",
                         hint="Use 1-90 letters, digits, '-', '_', '.', '(' or ')' (not ending in '.').")
    return rg


# Resource group names (ARM naming rules for Microsoft.Resources/resourcegroups): \w covers the
# Unicode letters and digits ARM allows.
RESOURCE_GROUP_RE = re.compile(r"^[-\w.()]{1,90}$")


def template_name(args, env: Mapping[str, str] | None = None, *, required: bool = True) -> str | None:
    env = os.environ if env is None else env
    name = args.name[0] if isinstance(getattr(args, "name", None), list) and len(args.name) == 1 else getattr(args, "name", None)
    if isinstance(name, list):
        name = None
    from_option = bool(name)
    name = env_or(name, env, "AIB_PILOT_TEMPLATE_NAME")
    if not name and required:
        raise UsageError("No image template name given.", hint="Add --name NAME (or set AIB_PILOT_TEMPLATE_NAME).")
    if name:
        check_template_name(name, "--name" if from_option else "AIB_PILOT_TEMPLATE_NAME")
    return name


def template_names(args, env: Mapping[str, str] | None = None) -> list[str]:
    """Every ``-n`` of a command that takes several (else the one name), each checked locally."""
    names = getattr(args, "name", None)
    if isinstance(names, list) and names:
        for name in names:
            check_template_name(name, "--name")
        return list(names)
    return [template_name(args, env)]


def check_template_name(name: str, source: str = "--name") -> str:
    """Refuse a name Azure would reject, before any request (ARM answers 400 InvalidResourceName)."""
    from aib_pilot.azure.templates import check_name

    return check_name(name, source)


class NumberText(float):
    """A number option's value: a float that remembers the user's text, so messages and the printed
    resume command echo what was typed ("-1", not "-1.0") while code can still compute with it."""

    text: str

    def __new__(cls, text: str) -> "NumberText":
        value = super().__new__(cls, text)  # ValueError -> argparse's "invalid float value"
        value.text = str(text).strip()
        return value

    def __str__(self) -> str:
        return self.text


def number_text(text: str) -> NumberText:
    """argparse type for numeric options (see NumberText); range checks come later, in one place."""
    return NumberText(text)


number_text.__name__ = "float"  # what argparse names in its "invalid ... value" message


def positive_finite(raw, option: str, *, unit: str, example: str, minimum: float = 0.0) -> float:
    """``raw`` (the user's text or a number) as a finite float above 0 (and at least ``minimum``).

    One rule for --budget, --poll-interval, --timeout, demo's options and their variables: ``nan``,
    ``inf``, ``0`` and negative values are refused in one line that echoes the user's text.
    """
    text = str(raw).strip()
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{option} takes a number of {unit}, not {text!r}.", hint=f"Use e.g. {example}.") from None
    if not math.isfinite(value) or value <= 0 or value < minimum:
        floor = f"at least {minimum:g}" if minimum > 0 else "above 0"
        raise UsageError(f"{option} {text} is not usable: it must be a finite number of {unit}, {floor}.",
                         hint=f"Use e.g. {example}.")
    return value


def _number_option(args, attr: str, env: Mapping[str, str], env_name: str):
    """(raw value, the name to quote in messages): the option, else its variable, else (None, ..)."""
    value = getattr(args, attr, None)
    if value not in (None, ""):
        return value, "--" + attr.replace("_", "-")
    if env.get(env_name):
        return env[env_name], env_name
    return None, env_name


def budget_seconds(args, env: Mapping[str, str] | None = None) -> float | None:
    env = os.environ if env is None else env
    raw, source = _number_option(args, "budget", env, "AIB_PILOT_BUDGET")
    if raw is None:
        return None
    minutes = positive_finite(raw, source, unit="minutes",
                              example="--budget 50 (the job limit minus a margin) or --budget 0.5")
    return minutes * 60.0


MIN_POLL_INTERVAL = 0.1  # seconds; real use wants >= 5, the emulator tests poll every 0.2 s


def poll_interval(args, env: Mapping[str, str] | None = None) -> float:
    env = os.environ if env is None else env
    raw, source = _number_option(args, "poll_interval", env, "AIB_PILOT_POLL_INTERVAL")
    if raw is None:
        return 15.0
    return positive_finite(raw, source, unit="seconds", example="--poll-interval 15", minimum=MIN_POLL_INTERVAL)


def log_dir(args, env: Mapping[str, str] | None = None, *, check: bool = False) -> Path:
    """``--log-dir`` (else AIB_PILOT_LOG_DIR, else ./aib-pilot-logs). ``check``: make sure now, before
    signing in, that it is (or can be made) a writable folder -- a file there, a name too long for
    the file system or a read-only place is one usage line, not a failure after the build was read."""
    env = os.environ if env is None else env
    from_option = bool(getattr(args, "log_dir", None))
    path = Path(env_or(getattr(args, "log_dir", None), env, "AIB_PILOT_LOG_DIR") or DEFAULT_LOG_DIR)
    if check:
        check_log_dir(path, "--log-dir" if from_option else ("AIB_PILOT_LOG_DIR" if env.get("AIB_PILOT_LOG_DIR")
                                                             else "the default log folder"))
    return path


def check_log_dir(path: Path, source: str) -> None:
    fix = "Pass --log-dir with a folder you can write to (it is created if missing)."
    too_long = [part for part in path.parts if len(os.fsencode(part)) > 255]
    if too_long:
        raise UsageError(f"{source} {str(path)[:80]!r}... has a name longer than 255 bytes, which no file system "
                         "takes.", hint=fix)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{source} {path} is a file, not a folder.", hint=fix)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{source} {path} cannot be created: {exc.strerror}.", hint=fix) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(f"{source} {path} is not writable by this user.", hint=fix)


def info(msg: str) -> None:
    """A progress line on stderr (used before a sink exists)."""
    from aib_pilot.report.console import process_console

    process_console().info(msg)


def quiet_sdk_logging() -> None:
    """azure-identity logs each failed credential at WARNING; without a handler Python prints it to
    stderr next to our own line. Our error line already says what failed and how to fix it.
    (Set up with the session, the only way the commands reach the Azure SDKs: a command that
    does not talk to Azure does not load ``logging``.)"""
    import logging  # noqa: PLC0415

    if os.environ.get("AIB_PILOT_DEBUG") == "1":
        return
    azure_logger = logging.getLogger("azure")
    if not any(isinstance(h, logging.NullHandler) for h in azure_logger.handlers):
        azure_logger.addHandler(logging.NullHandler())
    azure_logger.propagate = False


def make_session(args, env: Mapping[str, str] | None = None, *, announce=info):
    """The Azure session for the options (azure/clients.open_session signs in); the local folder
    options are checked first, so a mistake there is said before any sign-in."""
    from aib_pilot.azure.cloud import resolve_cloud
    from aib_pilot.azure.clients import open_session

    quiet_sdk_logging()
    env = os.environ if env is None else env
    if hasattr(args, "log_dir"):  # every command that saves a log: its folder is checked before signing in
        log_dir(args, env, check=True)
    from aib_pilot.azure.login_settings import resolve_login

    login = resolve_login(args, env)  # azure/login's names and creds JSON, merged with ours
    env = login.env
    cloud = resolve_cloud(cloud=login.cloud, arm_endpoint=login.arm_endpoint,
                          authority_host=login.authority_host, env=env)
    subscription = env_or(login.subscription, env, "AZURE_SUBSCRIPTION_ID", "AIB_PILOT_SUBSCRIPTION_ID")
    if not subscription:
        raise UsageError("No subscription given.", hint="Add --subscription ID (or set AZURE_SUBSCRIPTION_ID).")
    return open_session(cloud=cloud, subscription=subscription, mode=env_or(getattr(args, "auth", None), env, "AIB_PILOT_AUTH"),
                        env=env, service_connection_id=getattr(args, "service_connection_id", None), announce=announce)
