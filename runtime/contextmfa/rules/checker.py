"""Checking one parsed rule file: list declarations, rule headers, conditions and outcomes.

The result is a list of ``checked.Rule`` (only when the file has no error) plus every problem in
the file's ``Report``. Rule names must be unique across the whole config, so the caller passes the
names seen so far (``seen``) from one file to the next.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from contextmfa.directives import FACTORS, Deny, Directive, Require, Skip, Step
from contextmfa.rules import checked as c
from contextmfa.rules import nodes as n
from contextmfa.rules.conditions import ConditionChecker, DeclaredList, RuleScope
from contextmfa.rules.diagnostics import KEYWORDS, Report, did_you_mean, quoted
from contextmfa.rules.fields import FIELDS, METADATA_ROOTS
from contextmfa.rules.listfiles import ListFiles
from contextmfa.rules.literals import BARE_WORDS, build_list
from contextmfa.rules.values import parse_number

__all__ = ["CheckState", "check_file"]

MAX_PRIORITY = 1_000_000
MAX_NAME = 100
MAX_REASON = 500
_LIST_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NEVER_ENROLLED = frozenset({"email", "recovery-code"})


@dataclass
class CheckState:
    """What checking one file needs from the files before it and from the caller."""

    display: Callable[[Path], str]
    asn_database: bool = True  # False: the tenant has none, so asn.* fields are always missing
    list_files: ListFiles = field(default_factory=ListFiles)
    seen: dict[str, str] = field(default_factory=dict)  # rule name -> "path:line"
    order: int = 0


def _declare_lists(
    tree: n.RuleFile, base: Path, report: Report, state: CheckState
) -> dict[str, DeclaredList]:
    lists: dict[str, DeclaredList] = {}
    reserved = {*KEYWORDS, *BARE_WORDS, *FIELDS, *(r.split(".")[0] for r in METADATA_ROOTS)}
    for decl in tree.lists:
        name = decl.name
        if name in lists:
            line = lists[name].pos.line
            report.error(decl.name_pos, f"list {name} is already declared on line {line}", "dup")
            continue
        if name in reserved or not _LIST_NAME.fullmatch(name):
            why = "is a word of the language" if name in reserved else "is not a valid list name"
            report.error(decl.name_pos, f"{quoted(name)} {why}: choose another name", "name")
            continue
        if isinstance(decl.value, n.ListLit):
            value = build_list(decl.value, report, name)
        else:
            target = base / decl.value.path.value
            shown = state.display(Path(os.path.normpath(target)))  # rules/../lists -> lists
            value = state.list_files.load(target, shown, name, decl.value.path.pos, report)
            if value is not None and value.elem is None:
                message = f"list file {shown} has no entries (only blank lines or comments), "
                message += f"so nothing is ever in list {name}"
                report.warning(decl.value.path.pos, message, "empty_list")
        lists[name] = DeclaredList(value, decl.name_pos)
    return lists


def _rule_name(rule: n.Rule, report: Report, state: CheckState) -> bool:
    name, pos = rule.name.value, rule.name.pos
    if not name.strip() or name != name.strip() or _CONTROL.search(name) or len(name) > MAX_NAME:
        message = f"a rule name is 1 to {MAX_NAME} printable characters, without outer spaces"
        report.error(pos, message, "name")
        return False
    first = state.seen.get(name)
    if first is not None:
        report.error(pos, f"rule {quoted(name)} is already defined at {first}", "dup")
        return False
    state.seen[name] = f"{report.path}:{pos.line}"
    return True


def _priority(rule: n.Rule, report: Report) -> int | None:
    if rule.priority is None:
        return 0
    text, pos = rule.priority.text, rule.priority.pos
    try:
        value = parse_number(text)
    except ValueError:
        value = None
    if not isinstance(value, int) or abs(value) > MAX_PRIORITY:
        message = f"priority is a whole number from -{MAX_PRIORITY} to {MAX_PRIORITY}, not {text}"
        report.error(pos, message, "priority")
        return None
    return value


def _factors(refs: tuple[n.FactorRef, ...], at: n.Pos | None, report: Report) -> frozenset[str]:
    names: set[str] = set()
    for ref in refs:
        if ref.name not in FACTORS:
            hint = did_you_mean(ref.name, FACTORS) or f" (factors: {', '.join(FACTORS)})"
            report.error(ref.pos, f"unknown factor {quoted(ref.name)}{hint}", "unknown_factor")
        elif ref.name in names:
            report.warning(ref.pos, f"factor {ref.name} is listed twice", "duplicate_factor")
        names.add(ref.name)
    if not refs:
        report.error(at or n.Pos(0, 0), "name at least one factor (or write `with any`)", "factors")
    return frozenset(names)


def _directive(outcome: n.Outcome, source: str, report: Report) -> Directive | None:
    mark = len(report.problems)
    directive: Directive
    if isinstance(outcome, n.DenyOutcome):
        reason = outcome.reason.value
        if not reason.strip() or _CONTROL.search(reason) or len(reason) > MAX_REASON:
            message = f"a deny reason is 1 to {MAX_REASON} printable characters"
            report.error(outcome.reason.pos, message, "reason")
        directive = Deny(reason, source)
    elif isinstance(outcome, n.RequireOutcome):
        factors = None
        if outcome.factors is not None:
            factors = _factors(outcome.factors, outcome.factors_pos, report)
        directive = Require(factors, outcome.remember, source)
    elif isinstance(outcome, n.EnrollOutcome):
        factors = _factors(outcome.factors, outcome.factors_pos, report)
        if factors and factors <= _NEVER_ENROLLED:
            message = "email and recovery-code are never enrolled by a step: this rule does nothing"
            report.warning(outcome.pos, message, "never_enrolls")
        directive = Step("enroll", factors, source)
    else:
        directive = Skip(source)
    return None if report.errors_since(mark) else directive


def _warn_unguarded(scope: RuleScope, report: Report) -> None:
    for fld, pos, op in scope.negations:
        if fld.name in scope.guarded:
            continue
        message = (
            f"{fld.name} may be missing, and `{op}` over a missing value is unknown, so the "
            f"rule does not fire then; write `{fld.name} is missing or ...` if it should"
        )
        report.warning(pos, message, "unguarded_negation")


def check_file(tree: n.RuleFile, path: Path, report: Report, state: CheckState) -> list[c.Rule]:
    """Check one file; its rules (numbered from ``state.order``) or [] when it has errors."""
    lists = _declare_lists(tree, path.parent, report, state)
    conditions = ConditionChecker(report, lists, asn_database=state.asn_database)
    rules: list[c.Rule] = []
    for rule in tree.rules:
        named = _rule_name(rule, report, state)
        priority = _priority(rule, report)
        scope = RuleScope()
        condition = conditions.check(rule.condition, scope)
        directive = _directive(rule.outcome, f"rule:{rule.name.value}", report)
        if condition is not None:
            _warn_unguarded(scope, report)
        if named and priority is not None and condition is not None and directive is not None:
            rules.append(
                c.Rule(
                    rule.name.value,
                    priority,
                    condition,
                    directive,
                    report.path,
                    rule.pos.line,
                    state.order,
                )
            )
        state.order += 1
    for name, declared in lists.items():
        if declared.value is not None and name not in conditions.used:
            report.warning(declared.pos, f"list {name} is never used", "unused_list")
    return [] if report.failed else rules
