"""Human-readable renderings of decisions for terminals (``--format pretty`` and tables)."""

from __future__ import annotations

import json
import re

from rich.table import Table
from rich.text import Text

from contextmfa.decision import Decision

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(value: object, style: str = "") -> Text:
    """Hostile text for a terminal: no markup, control characters shown as escapes."""
    text = _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], str(value))
    return Text(text, style=style)


OUTCOME_STYLE = {"allow": "green", "challenge": "yellow", "enroll": "cyan", "deny": "bold red"}


def outcome_text(outcome: str) -> Text:
    return Text(outcome, style=OUTCOME_STYLE.get(outcome, ""))


def decision_table(decision: Decision) -> Table:
    """A two-column summary of one decision: what a person checks first, then why."""
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()

    def row(label: str, value: str | Text) -> None:
        table.add_row(label, value if isinstance(value, Text) else safe_text(value))

    row("login", decision.login_id)
    row("outcome", outcome_text(decision.outcome))
    row("factors", ", ".join(decision.factors) or "-")
    row("source", decision.source)
    if decision.deny_reason:
        row("deny reason", decision.deny_reason)
    for step in decision.steps:
        row("step", f"{step.kind} with {', '.join(step.factors)}  ({step.source})")
    row("remember browser", "allowed" if decision.allow_remember_browser else "no")
    risk = decision.risk
    assessments = ", ".join(f"{k}={v['code']}" for k, v in risk["assessments"].items())
    row("risk", f"{risk['confidence']} confidence ({assessments})")
    geo = decision.geoip or {}
    place = ", ".join(str(p) for p in (geo.get("city_name"), geo.get("country_code")) if p)
    row("location", place or "unknown")
    for entry in decision.trace:
        detail = json.dumps(entry.to_dict()["detail"]) if entry.detail else ""
        row("trace", f"{entry.source}: {entry.directive} {detail}")
    for log in decision.logs:
        row("log", f"[{log['action']}] {log['line']}")
    for err in decision.errors:
        where = f" line {err['line']}" if err.get("line") else ""
        row("error", safe_text(f"{err['action']}{where}: {err['kind']}: {err['message']}", "red"))
    row("time", f"{decision.timing_us['total']} µs")
    return table
