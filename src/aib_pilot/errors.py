"""Exit codes and the errors that map onto them.

Every command uses the same codes (documented in README):

* 0 -- success, nothing failed, or a build still running when the time budget ended
* 1 -- a build/run failure was found (diagnosed) or the run was canceled
* 2 -- bad input or usage: one clear line saying what is wrong and how to fix it
* 3 -- Azure access error: authentication, permission, resource not found
* 4 -- an internal error of aib-pilot itself (a bug): never confused with a failed build
* 5 -- Azure unavailable: throttled (429), server errors (5xx) or unreachable after retrying within
  the budget. Temporary: run the same command again later; ``monitor`` still prints state Running
  and its resume command. Never 3, which means something to fix (a role, a setting, a name).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_BUILD_FAILED = 1
EXIT_USAGE = 2
EXIT_AZURE_ACCESS = 3
EXIT_INTERNAL = 4
EXIT_AZURE_UNAVAILABLE = 5


class PilotError(Exception):
    """An error the CLI reports as one line (no traceback) with a fixed exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class UsageError(PilotError):
    """Bad input: a missing option, an unreadable file, an invalid template."""

    exit_code = EXIT_USAGE


class AzureAccessError(PilotError):
    """Authentication failed, permission denied, or the resource does not exist."""

    exit_code = EXIT_AZURE_ACCESS


class AzureUnavailableError(PilotError):
    """Azure kept answering 429/5xx or could not be reached, after the retries the budget allowed."""

    exit_code = EXIT_AZURE_UNAVAILABLE
