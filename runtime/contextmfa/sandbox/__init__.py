"""The Actions sandbox: tenant Python run under RestrictedPython with guards and budgets.

Three parts, as RestrictedPython itself (STYLE.md #6): the compile-time policy (source_checks.py,
then policy.py on RestrictedPython's transformer, compiler.py), the run-time guards (guards.py,
lookup.py and attributes.py for attribute access, methods.py, formatting.py, modules.py,
regexes.py, safe_builtins.py, event_view.py, api.py) and the limits (limits.py, textsize.py).
runner.py ties them together for one Action; the engine calls only the names exported here.
RestrictedPython is a layer, not the boundary: ``isolation = "process"`` (the process package,
imported on its own) runs a login's whole flow in a confined worker process.
"""

from contextmfa.sandbox.cache import ActionCache, InMemoryActionCache
from contextmfa.sandbox.compiler import CompiledAction, compile_action
from contextmfa.sandbox.limits import SandboxLimits
from contextmfa.sandbox.printing import LogLine
from contextmfa.sandbox.runner import ActionError, ActionRun, run_action

__all__ = [
    "ActionCache",
    "ActionError",
    "ActionRun",
    "CompiledAction",
    "InMemoryActionCache",
    "LogLine",
    "SandboxLimits",
    "compile_action",
    "run_action",
]
