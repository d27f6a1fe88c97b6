"""The one exception root of contextmfa, and a located problem report.

    ContextMFAError                  code, exit_code
     ├── InputError             a login event or events file is malformed   (exit 2)
     ├── ConfigError            tenant.toml or a file it names is unusable  (exit 2)
     ├── CompileError           an Action or rule file does not compile     (exit 2; check: 1)
     └── SandboxError           an Action broke a rule while running        kind "exception"
          ├── ActionTimeout     wall time exceeded                          kind "timeout"
          ├── ActionLimitExceeded  steps, sizes, output, cache, step count  kind "limit"
          └── ActionForbidden   touched something outside the sandbox       kind "forbidden"

Messages never carry secrets, host paths outside the tenant's config, or Python tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One located diagnostic, printed as ``path:line:col: severity: message``."""

    path: str
    line: int
    col: int
    message: str
    severity: str = "error"
    code: str = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: {self.severity}: {self.message}"


class ContextMFAError(Exception):
    """Root of every error contextmfa raises on purpose."""

    code = "error"
    exit_code = 2


class InputError(ContextMFAError):
    """A login event (or a file of them) is not valid input."""

    code = "invalid_input"


class ConfigError(ContextMFAError):
    """The tenant config, or a file it refers to, cannot be used."""

    code = "invalid_config"


class CompileError(ContextMFAError):
    """An Action or rule file failed to compile; carries every located problem."""

    code = "compile_error"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class SandboxError(ContextMFAError):
    """An Action stopped because it broke a sandbox rule; ``kind`` goes into the decision."""

    kind = "exception"
    code = "action_error"

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


class ActionTimeout(SandboxError):
    kind = "timeout"


class ActionLimitExceeded(SandboxError):
    kind = "limit"


class ActionForbidden(SandboxError):
    kind = "forbidden"
