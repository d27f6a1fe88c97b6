"""A config's rule files compiled into one ``RuleSet``, and its evaluation (decisions.md step 2).

Every rule is evaluated, highest priority first, ties in file order (files in config order).
Each rule whose condition is *true* contributes its directive; a matching ``deny`` is the last
directive (nothing after it is evaluated). A rule whose condition is false or unknown contributes
nothing.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from contextmfa.directives import Deny, Directive
from contextmfa.errors import CompileError, Problem
from contextmfa.rules import checked as c
from contextmfa.rules.checker import CheckState, check_file
from contextmfa.rules.compiler import Test, compile_conditions
from contextmfa.rules.context import RuleContext
from contextmfa.rules.diagnostics import Report
from contextmfa.rules.parser import parse

__all__ = ["MAX_RULE_FILE_BYTES", "CompiledRule", "RuleSet", "compile_rule_files", "compile_text"]

MAX_RULE_FILE_BYTES = 1 << 20
"""A rule file larger than this is refused (hand-written rules are a few kilobytes)."""


@dataclass(frozen=True, slots=True)
class CompiledRule:
    name: str
    priority: int
    test: Test
    directive: Directive
    path: str
    line: int


class RuleSet:
    """Compiled rules in evaluation order, with the warnings found while compiling them."""

    __slots__ = ("_plan", "rules", "warnings")

    def __init__(self, rules: Sequence[CompiledRule], warnings: Sequence[Problem] = ()) -> None:
        self.rules: tuple[CompiledRule, ...] = tuple(rules)
        self.warnings: tuple[Problem, ...] = tuple(warnings)
        self._plan = tuple((r.test, r.directive, isinstance(r.directive, Deny)) for r in self.rules)

    @property
    def rule_count(self) -> int:
        return len(self.rules)

    @property
    def names(self) -> tuple[str, ...]:
        """Rule names in evaluation order."""
        return tuple(rule.name for rule in self.rules)

    def evaluate(self, ctx: RuleContext) -> list[Directive]:
        """The directives of the rules whose condition is true for this login.

        Never raises: conditions are built not to (a bad value is unknown), and should one fail
        regardless, that rule's condition counts as unknown for this login.
        """
        directives: list[Directive] = []
        for test, directive, denies in self._plan:
            try:
                fired = test(ctx) is True
            except Exception:
                fired = False
            if fired:
                directives.append(directive)
                if denies:
                    break
        return directives

    def __repr__(self) -> str:
        return f"RuleSet(rules={len(self.rules)}, warnings={len(self.warnings)})"


def _compile(rules: list[c.Rule]) -> list[CompiledRule]:
    ordered = sorted(rules, key=lambda rule: (-rule.priority, rule.order))
    tests = compile_conditions([rule.condition for rule in ordered])
    return [
        CompiledRule(r.name, r.priority, test, r.directive, r.path, r.line)
        for r, test in zip(ordered, tests, strict=True)
    ]


def _read(path: Path, shown: str) -> str | Problem:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return Problem(shown, 0, 0, "cannot read rule file: not a regular file")
        if info.st_size > MAX_RULE_FILE_BYTES:
            return Problem(shown, 0, 0, f"rule file is larger than {MAX_RULE_FILE_BYTES >> 20} MiB")
        return path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except OSError as exc:
        return Problem(shown, 0, 0, f"cannot read rule file: {exc.strerror or type(exc).__name__}")
    except UnicodeDecodeError:
        return Problem(shown, 0, 0, "cannot read rule file: not UTF-8 text")
    except ValueError:
        return Problem(shown, 0, 0, "cannot read rule file: not a valid file name")


def _check_text(text: str, path: Path, shown: str, state: CheckState) -> tuple[list, list]:
    tree = parse(text, shown)
    if isinstance(tree, Problem):
        return [], [tree]
    report = Report(shown)
    rules = check_file(tree, path, report, state)
    problems = sorted(report.problems, key=lambda p: (p.path != shown, p.line, p.col))
    return rules, problems


def compile_rule_files(
    paths: Sequence[Path], *, display: Callable[[Path], str] = str, asn_database: bool = True
) -> RuleSet:
    """Compile a config's rule files (in config order) into one RuleSet.

    ``display`` names a file in messages (e.g. relative to the working directory);
    ``asn_database=False`` says the tenant has none, so each ``asn.*`` field is a warning.
    Raises ``CompileError`` with every problem found in every file (its warnings too, in file
    and line order) when any is an error; on success the warnings are on ``RuleSet.warnings``.
    """
    state = CheckState(display, asn_database)
    rules: list[c.Rule] = []
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        shown = display(path)
        text = _read(path, shown)
        if isinstance(text, Problem):
            problems.append(text)
            continue
        found, reported = _check_text(text, path, shown, state)
        rules.extend(found)
        problems.extend(reported)
    return _finish(rules, problems)


def compile_text(
    text: str, path: Path, *, display: Callable[[Path], str] = str, asn_database: bool = True
) -> RuleSet:
    """Compile one rule file given as text (``path`` places it: list files are relative to it)."""
    state = CheckState(display, asn_database)
    rules, problems = _check_text(text, Path(path), display(Path(path)), state)
    return _finish(rules, problems)


def _finish(rules: list[c.Rule], problems: list[Problem]) -> RuleSet:
    if any(p.severity == "error" for p in problems):
        raise CompileError(problems)
    return RuleSet(_compile(rules), problems)
